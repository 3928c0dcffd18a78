// The conformance suite of IndexStore: every test runs against SQLite and against PostgreSQL
// (a database of its own per test, from sql::TestDatabase), which must behave alike.
#include "hub/index_store.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/status_testing.h"
#include "sql/test_database.h"

namespace renkei::hub {
namespace {

mpi::Demographics Person() {
  return {"山田", "太郎", "ヤマダ", "タロウ", "19800101", "M", "422-8033", "静岡県静岡市駿河区", "054-000-0000", ""};
}

SearchKeys Keys() { return {"山田", "太郎", "ヤマダ", "タロウ", "0540000000", "4228033", 19800101, 'M'}; }

std::vector<int64_t> Ids(const std::vector<RegistrationRow>& rows) {
  std::vector<int64_t> ids;
  for (const RegistrationRow& r : rows) ids.push_back(r.id);
  return ids;
}

class IndexStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto db = sql::TestDatabase::Create(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto store = IndexStore::Open(db_->url());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  // A registration of Person() with `keys`; 0 (and a test failure) when it cannot be added.
  int64_t Register(std::string_view facility, std::string_view local_id, int64_t identity,
                   const SearchKeys& keys = Keys(), const mpi::Demographics& d = Person()) {
    return Ok(store_->InsertRegistration(facility, local_id, identity, d, keys, true));
  }

  std::vector<int64_t> SearchIds(const SearchQuery& q) { return Ids(Ok(store_->Search(q)).candidates); }

  // Each identity's locator entries must be exactly its registrations' (facility, local ID),
  // and, when `every_identity`, the locator must hold nothing else.
  void ExpectLocatorMatchesRegistrations(std::initializer_list<int64_t> identities, bool every_identity = true) {
    int64_t total = 0;
    for (int64_t identity : identities) {
      std::set<std::pair<std::string, std::string>> expected;
      for (const RegistrationRow& r : Ok(store_->RegistrationsOf(identity))) expected.emplace(r.facility, r.local_id);
      std::set<std::pair<std::string, std::string>> located;
      for (const LocatorEntry& e : Ok(store_->Locate(identity))) located.emplace(e.facility, e.local_id);
      EXPECT_EQ(located, expected) << "identity " << identity;
      total += static_cast<int64_t>(expected.size());
    }
    if (every_identity) {
      EXPECT_EQ(Ok(store_->LocatorRows()), total);
    }
  }

  std::unique_ptr<sql::TestDatabase> db_;  // outlives store_, whose connection must close first
  std::unique_ptr<IndexStore> store_;
};

// --- Identities ---

TEST_P(IndexStoreTest, NumbersIdentitiesInSequenceAndCountsLiveOnes) {
  EXPECT_EQ(Ok(store_->IdentityCount()), 0);
  EXPECT_EQ(Ok(store_->NewIdentity()), 1);
  EXPECT_EQ(Ok(store_->NewIdentity()), 2);
  EXPECT_EQ(Ok(store_->NewIdentity()), 3);
  EXPECT_EQ(Ok(store_->IdentityCount()), 3);
  EXPECT_EQ(Ok(store_->MergedInto(2)), std::nullopt);

  ASSERT_TRUE(store_->MarkMerged(2, 1).ok());
  EXPECT_EQ(Ok(store_->IdentityCount()), 2);
  EXPECT_EQ(Ok(store_->MergedInto(2)), std::optional<int64_t>(1));
  EXPECT_EQ(store_->MergedInto(99).status().code(), StatusCode::kNotFound);

  // Reverting the merge makes the identity live again; only a merged identity can be revived.
  ASSERT_TRUE(store_->ClearMerged(2).ok());
  EXPECT_EQ(Ok(store_->MergedInto(2)), std::nullopt);
  EXPECT_EQ(Ok(store_->IdentityCount()), 3);
  EXPECT_EQ(store_->ClearMerged(2).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ClearMerged(99).code(), StatusCode::kNotFound);
  EXPECT_EQ(Ok(store_->NewIdentity()), 4);  // numbers are not given twice
}

TEST_P(IndexStoreTest, AMergedIdentityIsEmptyAndTakesNoRegistrations) {
  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity()), c = Ok(store_->NewIdentity());
  const int64_t r = Register("2210000001", "1001", a);
  EXPECT_EQ(store_->MarkMerged(a, a).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->MarkMerged(a, b).code(), StatusCode::kFailedPrecondition) << "a still has registration r";
  EXPECT_EQ(store_->MarkMerged(99, b).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->MarkMerged(b, 99).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->MarkMerged(b, c).ok());
  EXPECT_EQ(store_->MarkMerged(b, c).code(), StatusCode::kFailedPrecondition) << "already merged";
  EXPECT_EQ(store_->MarkMerged(a, b).code(), StatusCode::kFailedPrecondition) << "b is merged";

  EXPECT_EQ(store_->InsertRegistration("2210000001", "1002", b, Person(), Keys(), true).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->InsertRegistration("2210000001", "1002", 99, Person(), Keys(), true).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->SetIdentity(r, b).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Ok(store_->GetRegistration(r))->identity, a);
  ExpectLocatorMatchesRegistrations({a, b, c});
}

// --- Registrations ---

TEST_P(IndexStoreTest, KeepsHostileTextAsGiven) {
  mpi::Demographics d;
  d.family_kanji = "O'Brien \"Bob\" \\ ; DROP TABLE registrations; --";
  d.given_kanji = "\u0001\u007F\u200Eright\u202Eleft\uFFFF\U0010FFFF";  // controls, bidi, noncharacters
  d.family_kana = "ｶﾞｯｺｳ ﾀﾛｳ";                 // half-width with voicing marks
  d.given_kana = "e\u0301\u0308 👨‍👩‍👧 𠮷";  // combining marks, ZWJ, outside the BMP
  d.birth_date = "S55.1.1";
  d.sex = "男";
  d.postal_code = "%_*?";
  std::string ten_kb;
  while (ten_kb.size() < 10 * 1024) ten_kb += "鈴木";
  d.address = ten_kb;
  d.phone = "$1 $2 :name ?";
  d.identifier = "保険者番号 06139995 記号・番号 ｱ-123";
  SearchKeys keys = Keys();
  keys.family = ten_kb;  // longer than kMaxSearchKeyBytes: stored by its first bytes

  const int64_t identity = Ok(store_->NewIdentity());
  const std::string local_id = "A'1\"\\%_ 患者";
  const int64_t id = Ok(store_->InsertRegistration("1310000001", local_id, identity, d, keys, false));
  ASSERT_GT(id, 0);

  for (auto row : {Ok(store_->FindRegistration("1310000001", local_id)), Ok(store_->GetRegistration(id))}) {
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->id, id);
    EXPECT_EQ(row->facility, "1310000001");
    EXPECT_EQ(row->local_id, local_id);
    EXPECT_EQ(row->identity, identity);
    EXPECT_EQ(row->demographics.family_kanji, d.family_kanji);
    EXPECT_EQ(row->demographics.given_kanji, d.given_kanji);
    EXPECT_EQ(row->demographics.family_kana, d.family_kana);
    EXPECT_EQ(row->demographics.given_kana, d.given_kana);
    EXPECT_EQ(row->demographics.birth_date, d.birth_date);
    EXPECT_EQ(row->demographics.sex, d.sex);
    EXPECT_EQ(row->demographics.postal_code, d.postal_code);
    EXPECT_EQ(row->demographics.address, ten_kb);
    EXPECT_EQ(row->demographics.phone, d.phone);
    EXPECT_EQ(row->demographics.identifier, d.identifier);
    EXPECT_FALSE(row->consent);
    EXPECT_FALSE(row->created_at.empty());
    EXPECT_EQ(row->updated_at, row->created_at);
  }
  EXPECT_EQ(Ok(store_->FindRegistration("1310000001", "A'1")), std::nullopt);
  EXPECT_EQ(Ok(store_->FindRegistration("1310000002", local_id)), std::nullopt);
  EXPECT_EQ(Ok(store_->GetRegistration(id + 1)), std::nullopt);
  EXPECT_EQ(Ok(store_->Locate(identity)), (std::vector<LocatorEntry>{{"1310000001", local_id}}));
}

TEST_P(IndexStoreTest, RefusesTextBothDatabasesCouldNotKeepAlike) {
  const int64_t identity = Ok(store_->NewIdentity());
  auto insert = [&](const mpi::Demographics& d, const SearchKeys& k = Keys(), std::string_view local_id = "1") {
    return store_->InsertRegistration("2210000001", local_id, identity, d, k, true).status();
  };
  mpi::Demographics d = Person();
  d.family_kanji = "\xE5\xB1";  // a truncated character
  Status s = insert(d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "family_kanji: byte 0: invalid UTF-8: truncated sequence at end of input");

  d = Person();
  d.address = std::string("静岡\0県", 10);
  s = insert(d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "address: byte 6: NUL is not allowed in text");

  d = Person();
  d.given_kana = std::string(kMaxTextBytes + 1, 'a');
  EXPECT_EQ(insert(d).code(), StatusCode::kResourceExhausted);

  SearchKeys k = Keys();
  k.given_key = "\xFF";
  s = insert(Person(), k);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("keys.given_key"), std::string::npos) << s.message();
  k = Keys();
  k.sex = '\n';
  EXPECT_EQ(insert(Person(), k).code(), StatusCode::kInvalidArgument);
  k.sex = static_cast<char>(0x80);
  EXPECT_EQ(insert(Person(), k).code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(insert(Person(), Keys(), "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(insert(Person(), Keys(), std::string(kMaxIdBytes + 1, '9')).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(insert(Person(), Keys(), std::string(kMaxIdBytes, '9')).ok());
  EXPECT_EQ(store_->FindRegistration("2210000001", "\xC0\x80").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->FindRegistration("", "1").status().code(), StatusCode::kInvalidArgument);

  // Nothing of the refused registrations was kept.
  EXPECT_EQ(Ok(store_->LocatorRows()), 1);
  EXPECT_EQ(Ok(store_->RegistrationsOf(identity)).size(), 1u);
}

TEST_P(IndexStoreTest, OneLocalRecordIsInExactlyOneIdentity) {
  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity());
  const int64_t first = Register("2210000001", "1001", a);
  auto again = store_->InsertRegistration("2210000001", "1001", b, Person(), Keys(), true);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message().find("1001"), std::string::npos) << "a local ID is not repeated in errors";
  EXPECT_TRUE(Ok(store_->RegistrationsOf(b)).empty());
  EXPECT_TRUE(Ok(store_->Locate(b)).empty());
  EXPECT_EQ(Ok(store_->FindRegistration("2210000001", "1001"))->id, first);

  // The same local ID at another facility, another local ID at the same facility: other records.
  const int64_t other_facility = Register("2210000002", "1001", b);
  const int64_t other_id = Register("2210000001", "1002", b);
  EXPECT_EQ(Ids(Ok(store_->RegistrationsOf(b))), (std::vector<int64_t>{other_facility, other_id}));
  ExpectLocatorMatchesRegistrations({a, b});
}

TEST_P(IndexStoreTest, ARefusedCallLeavesTheTransactionUsable) {
  // Documented errors are found before anything is written, so even PostgreSQL, which aborts
  // a transaction at its first failed statement, can go on.
  const int64_t a = Ok(store_->NewIdentity());
  const int64_t first = Register("2210000001", "1001", a);
  ASSERT_TRUE(store_->Begin().ok());
  EXPECT_EQ(store_->InsertRegistration("2210000001", "1001", a, Person(), Keys(), true).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->SetIdentity(first, 99).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->AppendLinkEvent({.change = 99, .actor = "linker"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->AddReview({.registration = first, .candidate = 99}).status().code(), StatusCode::kNotFound);
  const int64_t second = Register("2210000001", "1002", a);
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(Ids(Ok(store_->RegistrationsOf(a))), (std::vector<int64_t>{first, second}));
  ExpectLocatorMatchesRegistrations({a});
}

TEST_P(IndexStoreTest, UpdateReplacesDemographicsAndSearchKeys) {
  const int64_t a = Ok(store_->NewIdentity());
  const int64_t id = Register("2210000001", "1001", a);
  const std::string created = Ok(store_->GetRegistration(id))->created_at;
  mpi::Demographics d = Person();
  d.family_kanji = "佐藤";
  d.family_kana = "サトウ";
  SearchKeys k = Keys();
  k.family = "佐藤";
  k.family_key = "サトウ";
  ASSERT_TRUE(store_->UpdateRegistration(id, d, k, false).ok());

  auto row = Ok(store_->GetRegistration(id));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->demographics.family_kanji, "佐藤");
  EXPECT_EQ(row->demographics.family_kana, "サトウ");
  EXPECT_FALSE(row->consent);
  EXPECT_EQ(row->identity, a);
  EXPECT_EQ(row->created_at, created);
  EXPECT_GE(row->updated_at, created);
  EXPECT_EQ(SearchIds({.family_key = "サトウ"}), std::vector<int64_t>{id});
  EXPECT_TRUE(SearchIds({.family_key = "ヤマダ"}).empty());
  EXPECT_TRUE(SearchIds({.family = "山田"}).empty());

  EXPECT_EQ(store_->UpdateRegistration(id + 1, d, k, true).code(), StatusCode::kNotFound);
  d.phone = "\xFE";
  EXPECT_EQ(store_->UpdateRegistration(id, d, k, true).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ok(store_->GetRegistration(id))->demographics.phone, Person().phone);
  ExpectLocatorMatchesRegistrations({a});
}

TEST_P(IndexStoreTest, SetIdentityMovesTheLocatorEntryWithTheRegistration) {
  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity());
  const int64_t r1 = Register("2210000001", "1001", a);
  const int64_t r2 = Register("2210000002", "2002", a);
  const int64_t r3 = Register("2210000003", "3003", b);
  EXPECT_EQ(Ok(store_->Locate(a)), (std::vector<LocatorEntry>{{"2210000001", "1001"}, {"2210000002", "2002"}}));

  ASSERT_TRUE(store_->SetIdentity(r1, b).ok());
  EXPECT_EQ(Ok(store_->GetRegistration(r1))->identity, b);
  EXPECT_EQ(Ids(Ok(store_->RegistrationsOf(a))), std::vector<int64_t>{r2});
  EXPECT_EQ(Ids(Ok(store_->RegistrationsOf(b))), (std::vector<int64_t>{r1, r3}));
  EXPECT_EQ(Ok(store_->Locate(a)), (std::vector<LocatorEntry>{{"2210000002", "2002"}}));
  EXPECT_EQ(Ok(store_->Locate(b)), (std::vector<LocatorEntry>{{"2210000001", "1001"}, {"2210000003", "3003"}}));
  ExpectLocatorMatchesRegistrations({a, b});

  ASSERT_TRUE(store_->SetIdentity(r1, b).ok());  // already there: nothing changes
  EXPECT_EQ(store_->SetIdentity(r3 + 1, b).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->SetIdentity(r1, 99).code(), StatusCode::kNotFound);

  // Emptied by the moves, `a` can be merged into `b`, and revived to take its registration back.
  ASSERT_TRUE(store_->SetIdentity(r2, b).ok());
  ASSERT_TRUE(store_->MarkMerged(a, b).ok());
  EXPECT_TRUE(Ok(store_->Locate(a)).empty());
  ASSERT_TRUE(store_->ClearMerged(a).ok());
  ASSERT_TRUE(store_->SetIdentity(r2, a).ok());
  ExpectLocatorMatchesRegistrations({a, b});
}

TEST_P(IndexStoreTest, LocateOrdersByFacilityCodeThenLocalIdByteByByte) {
  const int64_t a = Ok(store_->NewIdentity());
  for (const char* facility : {"2", "10"}) {
    for (const char* local_id : {"b", "あ", "B", "a", "Z"}) Register(facility, local_id, a);
  }
  EXPECT_EQ(Ok(store_->Locate(a)),
            (std::vector<LocatorEntry>{{"10", "B"}, {"10", "Z"}, {"10", "a"}, {"10", "b"}, {"10", "あ"},
                                       {"2", "B"}, {"2", "Z"}, {"2", "a"}, {"2", "b"}, {"2", "あ"}}));
  EXPECT_TRUE(Ok(store_->Locate(a + 1)).empty());
}

TEST_P(IndexStoreTest, ForEachRegistrationReadsAllInIdOrderPageByPage) {
  int calls = 0;
  ASSERT_TRUE(store_->ForEachRegistration([&](const RegistrationRow&) { ++calls; return Status::Ok(); }).ok());
  EXPECT_EQ(calls, 0);

  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity());
  std::vector<int64_t> inserted;
  for (int i = 0; i < 7; ++i) inserted.push_back(Register("2210000001", std::to_string(900 - i), i % 2 ? a : b));
  for (size_t page : {1, 3, 7, 100}) {
    std::vector<int64_t> seen;
    ASSERT_TRUE(store_
                    ->ForEachRegistration(
                        [&](const RegistrationRow& r) {
                          seen.push_back(r.id);
                          EXPECT_EQ(r.facility, "2210000001");
                          EXPECT_EQ(r.local_id, std::to_string(900 - seen.size() + 1));
                          return Status::Ok();
                        },
                        page)
                    .ok());
    EXPECT_EQ(seen, inserted) << "page " << page;
  }
  // The first error of the callback stops the walk and is returned.
  std::vector<int64_t> seen;
  Status s = store_->ForEachRegistration(
      [&](const RegistrationRow& r) {
        seen.push_back(r.id);
        return seen.size() == 4 ? Internal("stop here") : Status::Ok();
      },
      3);
  EXPECT_EQ(s, Internal("stop here"));
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_EQ(store_->ForEachRegistration([](const RegistrationRow&) { return Status::Ok(); }, 0).code(),
            StatusCode::kInvalidArgument);
}

// --- Search ---

TEST_P(IndexStoreTest, SearchNarrowsByEveryMemberAndMatchesNamePrefixes) {
  const int64_t a = Ok(store_->NewIdentity());
  auto add = [&](std::string local_id, SearchKeys k) { return Register("2210000001", local_id, a, k); };
  const int64_t taro = add("1", {"山田", "太郎", "ヤマダ", "タロウ", "0540000001", "4228033", 19800101, 'M'});
  const int64_t hanako = add("2", {"山田", "花子", "ヤマダ", "ハナコ", "0540000002", "4228033", 19820202, 'F'});
  const int64_t yamamoto = add("3", {"山本", "太郎", "ヤマモト", "タロウ", "0540000001", "4200000", 19800101, 'M'});
  const int64_t kana_only = add("4", {"", "", "ヤマダ", "タロウ", "", "", 0, 0});

  using V = std::vector<int64_t>;
  EXPECT_EQ(SearchIds({.family = "山田"}), (V{taro, hanako}));
  EXPECT_EQ(SearchIds({.family = "山"}), (V{taro, hanako, yamamoto}));
  EXPECT_EQ(SearchIds({.family = "山", .given = "太"}), (V{taro, yamamoto}));
  EXPECT_EQ(SearchIds({.family_key = "ヤマダ"}), (V{taro, hanako, kana_only}));
  EXPECT_EQ(SearchIds({.family_key = "ヤマ", .given_key = "タロウ"}), (V{taro, yamamoto, kana_only}));
  EXPECT_EQ(SearchIds({.birth_date = 19800101}), (V{taro, yamamoto}));
  EXPECT_EQ(SearchIds({.birth_date = 19800101, .sex = 'M', .postal_code = "4200000"}), (V{yamamoto}));
  EXPECT_EQ(SearchIds({.family_key = "ヤ", .sex = 'F'}), (V{hanako}));
  EXPECT_EQ(SearchIds({.phone = "0540000001"}), (V{taro, yamamoto}));
  EXPECT_EQ(SearchIds({.phone = "054000000"}), V{}) << "phone numbers match whole";
  EXPECT_EQ(SearchIds({.family = "山田", .given = "太郎", .family_key = "ヤマダ", .given_key = "タロウ",
                       .birth_date = 19800101, .sex = 'M', .phone = "0540000001", .postal_code = "4228033"}),
            (V{taro}));
  EXPECT_EQ(SearchIds({.family = "山田太郎"}), V{});
  EXPECT_EQ(SearchIds({.family_key = "ヤマダ", .birth_date = 19990101}), V{});

  // The limit: `more` says when there were more candidates than returned.
  SearchResult some = Ok(store_->Search({.family_key = "ヤマ", .limit = 2}));
  EXPECT_EQ(some.candidates.size(), 2u);
  EXPECT_TRUE(some.more);
  SearchResult all = Ok(store_->Search({.family_key = "ヤマ", .limit = 4}));
  EXPECT_EQ(Ids(all.candidates), (V{taro, hanako, yamamoto, kana_only}));
  EXPECT_FALSE(all.more);
  EXPECT_EQ(all.candidates[1].demographics.family_kanji, "山田");  // whole rows, not just ids

  // Queries that could not use an index, or are malformed.
  EXPECT_EQ(store_->Search({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Search({.given = "太郎", .sex = 'M', .postal_code = "4228033"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Search({.family = "山田", .limit = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Search({.family = "山田", .limit = kMaxListLimit + 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Search({.family = "\xE5\xB1"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Search({.family = "山田", .sex = '\x7F'}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(IndexStoreTest, PrefixesEndAtTheNextCharacterWhateverItsEncoding) {
  const int64_t a = Ok(store_->NewIdentity());
  int n = 0;
  auto add = [&](std::string family) {
    SearchKeys k;
    k.family = std::move(family);
    return Register("2210000001", std::to_string(++n), a, k);
  };
  // For each prefix: a key it starts, and the key right after everything it starts.
  const std::pair<std::string, std::string> cases[] = {
      {"A\u007F", "A\u0080"},                // 1 byte → 2 bytes
      {"B\u07FF", "B\u0800"},                // 2 → 3
      {"C\uD7FF", "C\uE000"},                // over the surrogates
      {"D\uFFFF", "D\U00010000"},            // 3 → 4
      {"E\U0010FFFF", "F"},                  // the last code point: the character before it goes up
      {"%", "&"},                            // no LIKE wildcards
      {"_", "`"},
  };
  for (const auto& [prefix, next] : cases) {
    const int64_t starts = add(prefix + "z\U0010FFFF");
    const int64_t after = add(next);
    EXPECT_EQ(SearchIds({.family = prefix}), std::vector<int64_t>{starts}) << prefix;
    EXPECT_EQ(SearchIds({.family = next}), std::vector<int64_t>{after}) << next;
  }
  // A prefix of nothing but U+10FFFF has no end.
  const int64_t last = add("\U0010FFFF\U0010FFFFx");
  EXPECT_EQ(SearchIds({.family = "\U0010FFFF"}), std::vector<int64_t>{last});
}

TEST_P(IndexStoreTest, LongNamesAreFoundByTheirFirstBytes) {
  const int64_t a = Ok(store_->NewIdentity());
  std::string long_name;
  while (long_name.size() < 10 * 1024) long_name += "長";  // 3 bytes: kMaxSearchKeyBytes falls inside one
  SearchKeys k = Keys();
  k.family = long_name;
  k.family_key = long_name;
  const int64_t id = Register("2210000001", "1", a, k);
  k.family = long_name + "違う";  // differs only after the stored bytes
  const int64_t twin = Register("2210000001", "2", a, k);

  EXPECT_EQ(SearchIds({.family = long_name}), (std::vector<int64_t>{id, twin}));
  EXPECT_EQ(SearchIds({.family = long_name.substr(0, 300)}), (std::vector<int64_t>{id, twin}));
  EXPECT_EQ(SearchIds({.family_key = long_name, .given_key = "タロウ"}), (std::vector<int64_t>{id, twin}));
  EXPECT_EQ(Ok(store_->GetRegistration(id))->demographics.family_kanji, "山田") << "demographics are whole";
}

// --- Link history ---

TEST_P(IndexStoreTest, KeepsTheLinkHistoryByChange) {
  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity());
  const int64_t r1 = Register("2210000001", "1", a);
  const int64_t r2 = Register("2210000002", "2", b);
  const int64_t c1 = Ok(store_->NewChange());
  const int64_t c2 = Ok(store_->NewChange());
  EXPECT_GT(c2, c1);

  const std::string breakdown = R"({"family_name": 4.25, "birth_date": -1.5, "note": "ヤマダ \"quoted\""})";
  const int64_t e1 = Ok(store_->AppendLinkEvent({.change = c1, .actor = "linker", .action = LinkAction::kNew,
                                                 .registration = r1, .to_identity = a}));
  const int64_t e2 = Ok(store_->AppendLinkEvent({.change = c1, .actor = "linker", .action = LinkAction::kAutoLink,
                                                 .registration = r2, .from_identity = b, .to_identity = a,
                                                 .score = 1.0 / 3.0, .breakdown = breakdown}));
  const int64_t e3 = Ok(store_->AppendLinkEvent({.change = c2, .at = "2026-01-02T03:04:05.678Z",
                                                 .actor = "operator'1", .action = LinkAction::kUnlink,
                                                 .registration = r2, .from_identity = a, .to_identity = b,
                                                 .score = -12.5e-300, .reason = "別人 (different person)"}));
  const int64_t e4 = Ok(store_->AppendLinkEvent(
      {.change = c2, .actor = "operator'1", .action = LinkAction::kKeepApart, .reason = "note"}));
  EXPECT_LT(e1, e2);

  std::vector<LinkEventRow> rows = Ok(store_->ChangeRows(c1));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, e1);
  EXPECT_EQ(rows[0].action, LinkAction::kNew);
  EXPECT_EQ(rows[0].from_identity, 0);
  EXPECT_EQ(rows[0].score, std::nullopt);
  EXPECT_EQ(rows[0].breakdown, "");
  EXPECT_FALSE(rows[0].at.empty()) << "filled in";
  EXPECT_EQ(rows[1].id, e2);
  EXPECT_EQ(rows[1].change, c1);
  EXPECT_EQ(rows[1].actor, "linker");
  EXPECT_EQ(rows[1].action, LinkAction::kAutoLink);
  EXPECT_EQ(rows[1].registration, r2);
  EXPECT_EQ(rows[1].from_identity, b);
  EXPECT_EQ(rows[1].to_identity, a);
  EXPECT_EQ(rows[1].score, 1.0 / 3.0) << "scores read back exactly";
  EXPECT_EQ(rows[1].breakdown, breakdown);
  rows = Ok(store_->ChangeRows(c2));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at, "2026-01-02T03:04:05.678Z") << "kept when given";
  EXPECT_EQ(rows[0].score, -12.5e-300);
  EXPECT_EQ(rows[0].reason, "別人 (different person)");
  EXPECT_EQ(rows[1].registration, 0);
  EXPECT_TRUE(Ok(store_->ChangeRows(c2 + 1)).empty());

  auto ids = [&](LinkEventQuery q) {
    std::vector<int64_t> out;
    for (const LinkEventRow& e : Ok(store_->LinkEvents(q))) out.push_back(e.id);
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(ids({}), (V{e4, e3, e2, e1})) << "newest first";
  EXPECT_EQ(ids({.identity = a}), (V{e3, e2, e1})) << "from or to the identity";
  EXPECT_EQ(ids({.identity = b}), (V{e3, e2}));
  EXPECT_EQ(ids({.registration = r2}), (V{e3, e2}));
  EXPECT_EQ(ids({.identity = b, .registration = r1}), V{});
  EXPECT_EQ(ids({.limit = 2}), (V{e4, e3}));
  EXPECT_EQ(ids({.before_id = e3, .limit = 2}), (V{e2, e1})) << "the next page";
  EXPECT_EQ(ids({.identity = a, .before_id = e2}), (V{e1}));
  EXPECT_EQ(store_->LinkEvents({.limit = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LinkEvents({.limit = kMaxListLimit + 1}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(IndexStoreTest, RefusesLinkEventsThatNameNothingOrAreMalformed) {
  const int64_t a = Ok(store_->NewIdentity());
  const int64_t r = Register("2210000001", "1", a);
  const int64_t c = Ok(store_->NewChange());
  const LinkEventRow good{.change = c, .actor = "op", .action = LinkAction::kLink, .registration = r, .to_identity = a};
  auto code = [&](LinkEventRow e) { return store_->AppendLinkEvent(e).status().code(); };
  LinkEventRow e = good;
  e.change = 0;
  EXPECT_EQ(code(e), StatusCode::kNotFound);
  e.change = c + 1;
  EXPECT_EQ(code(e), StatusCode::kNotFound);
  e = good;
  e.registration = r + 1;
  EXPECT_EQ(code(e), StatusCode::kNotFound);
  e = good;
  e.from_identity = a + 1;
  EXPECT_EQ(code(e), StatusCode::kNotFound);
  e = good;
  e.to_identity = a + 1;
  EXPECT_EQ(code(e), StatusCode::kNotFound);
  e = good;
  e.actor = "";
  EXPECT_EQ(code(e), StatusCode::kInvalidArgument);
  e = good;
  e.score = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(code(e), StatusCode::kInvalidArgument);
  e.score = std::numeric_limits<double>::infinity();
  EXPECT_EQ(code(e), StatusCode::kInvalidArgument);
  e = good;
  e.breakdown = R"({"family_name": 山田})";
  Status s = store_->AppendLinkEvent(e).status();
  EXPECT_EQ(s, InvalidArgument("breakdown is not JSON (byte 17)")) << "the text is not quoted";
  e = good;
  e.reason = "\xED\xA0\x80";  // an encoded surrogate
  EXPECT_EQ(code(e), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Ok(store_->LinkEvents({})).empty());
  EXPECT_GT(Ok(store_->AppendLinkEvent(good)), 0);
}

TEST_P(IndexStoreTest, AnUnknownStoredActionIsDataLoss) {
  const int64_t c = Ok(store_->NewChange());
  const int64_t id = Ok(store_->AppendLinkEvent({.change = c, .actor = "op", .action = LinkAction::kUpdate}));
  {
    auto raw = sql::Open(db_->url());
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    ASSERT_TRUE((*raw)->Query("UPDATE link_events SET action = 'teleport' WHERE id = $1", {id}).ok());
  }
  EXPECT_EQ(store_->ChangeRows(c).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(store_->LinkEvents({}).status().code(), StatusCode::kDataLoss);
}

TEST(LinkActionTest, NamesReadBack) {
  for (LinkAction a : {LinkAction::kNew, LinkAction::kAutoLink, LinkAction::kReview, LinkAction::kLink,
                       LinkAction::kUnlink, LinkAction::kMerge, LinkAction::kKeepApart, LinkAction::kRevert,
                       LinkAction::kUpdate}) {
    EXPECT_EQ(ParseLinkAction(LinkActionName(a)), a) << LinkActionName(a);
  }
  EXPECT_EQ(LinkActionName(LinkAction::kAutoLink), "auto_link");
  EXPECT_EQ(ParseLinkAction("Link"), std::nullopt);
  for (ReviewStatus s :
       {ReviewStatus::kOpen, ReviewStatus::kLinked, ReviewStatus::kKeptApart, ReviewStatus::kObsolete}) {
    EXPECT_EQ(ParseReviewStatus(ReviewStatusName(s)), s) << ReviewStatusName(s);
  }
  EXPECT_EQ(ReviewStatusName(ReviewStatus::kKeptApart), "kept_apart");
  EXPECT_EQ(ParseReviewStatus(""), std::nullopt);
}

// --- Review queue ---

TEST_P(IndexStoreTest, QueuesReviewsOnePerOpenPair) {
  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity());
  const int64_t r1 = Register("2210000001", "1", a);
  const int64_t r2 = Register("2210000002", "2", b);
  const int64_t r3 = Register("2210000003", "3", b);
  const int64_t v1 = Ok(store_->AddReview({.registration = r1, .candidate = r2, .score = 7.25,
                                           .breakdown = R"({"given_name": 2})", .status = ReviewStatus::kLinked,
                                           .resolved_by = "ignored"}));
  auto review = Ok(store_->GetReview(v1));
  ASSERT_TRUE(review.has_value());
  EXPECT_EQ(review->registration, r1);
  EXPECT_EQ(review->candidate, r2);
  EXPECT_EQ(review->score, 7.25);
  EXPECT_EQ(review->breakdown, R"({"given_name": 2})");
  EXPECT_EQ(review->status, ReviewStatus::kOpen);
  EXPECT_FALSE(review->created_at.empty());
  EXPECT_EQ(review->resolved_at, "");
  EXPECT_EQ(review->resolved_by, "");
  EXPECT_EQ(Ok(store_->GetReview(v1 + 1)), std::nullopt);

  EXPECT_EQ(store_->AddReview({.registration = r1, .candidate = r2, .score = 1}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AddReview({.registration = r2, .candidate = r1, .score = 1}).status().code(),
            StatusCode::kAlreadyExists) << "the pair in the other order";
  EXPECT_EQ(store_->AddReview({.registration = r1, .candidate = r1, .score = 1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddReview({.registration = r1, .candidate = r3 + 1, .score = 1}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->AddReview({.registration = r1, .candidate = r3, .score = NAN}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddReview({.registration = r1, .candidate = r3, .score = 1, .breakdown = "{"}).status().code(),
            StatusCode::kInvalidArgument);

  const int64_t v2 = Ok(store_->AddReview({.registration = r3, .candidate = r1, .score = -0.5}));
  const int64_t v3 = Ok(store_->AddReview({.registration = r2, .candidate = r3, .score = 3}));
  auto ids = [](const std::vector<ReviewRow>& rows) {
    std::vector<int64_t> out;
    for (const ReviewRow& r : rows) out.push_back(r.id);
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(ids(Ok(store_->ReviewsOf(r1))), (V{v1, v2}));
  EXPECT_EQ(ids(Ok(store_->ReviewsOf(r3))), (V{v2, v3}));

  // Resolving: only once, only to a final status, by someone.
  EXPECT_EQ(store_->ResolveReview(v2, ReviewStatus::kOpen, "op", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ResolveReview(v2, ReviewStatus::kLinked, "", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ResolveReview(v3 + 1, ReviewStatus::kLinked, "op", "").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->ResolveReview(v2, ReviewStatus::kKeptApart, "op'2", "双子 twins").ok());
  EXPECT_EQ(store_->ResolveReview(v2, ReviewStatus::kLinked, "op", "").code(), StatusCode::kFailedPrecondition);
  review = Ok(store_->GetReview(v2));
  EXPECT_EQ(review->status, ReviewStatus::kKeptApart);
  EXPECT_EQ(review->resolved_by, "op'2");
  EXPECT_EQ(review->reason, "双子 twins");
  EXPECT_GE(review->resolved_at, review->created_at);
  EXPECT_EQ(review->score, -0.5);

  EXPECT_EQ(ids(Ok(store_->ListReviews(std::nullopt, 10, 0))), (V{v1, v2, v3}));
  EXPECT_EQ(ids(Ok(store_->ListReviews(ReviewStatus::kOpen, 10, 0))), (V{v1, v3}));
  EXPECT_EQ(ids(Ok(store_->ListReviews(ReviewStatus::kOpen, 1, 0))), (V{v1}));
  EXPECT_EQ(ids(Ok(store_->ListReviews(ReviewStatus::kOpen, 1, v1))), (V{v3})) << "the next page";
  EXPECT_EQ(ids(Ok(store_->ListReviews(ReviewStatus::kKeptApart, 10, 0))), (V{v2}));
  EXPECT_TRUE(Ok(store_->ListReviews(ReviewStatus::kObsolete, 10, 0)).empty());
  EXPECT_EQ(store_->ListReviews(std::nullopt, 0, 0).status().code(), StatusCode::kInvalidArgument);

  // A resolved pair may be queued again.
  EXPECT_GT(Ok(store_->AddReview({.registration = r1, .candidate = r3, .score = 2})), v3);
}

// --- Transactions, durability, the schema ---

TEST_P(IndexStoreTest, RollbackLeavesNothing) {
  ASSERT_TRUE(store_->Begin().ok());
  EXPECT_EQ(store_->Begin().code(), StatusCode::kFailedPrecondition);
  const int64_t a = Ok(store_->NewIdentity()), b = Ok(store_->NewIdentity());
  const int64_t r1 = Register("2210000001", "1", a);
  const int64_t r2 = Register("2210000002", "2", b);
  ASSERT_TRUE(store_->SetIdentity(r2, a).ok());
  ASSERT_TRUE(store_->MarkMerged(b, a).ok());
  const int64_t c = Ok(store_->NewChange());
  Ok(store_->AppendLinkEvent({.change = c, .actor = "op", .action = LinkAction::kMerge, .registration = r2}));
  Ok(store_->AddReview({.registration = r1, .candidate = r2, .score = 1}));
  ASSERT_TRUE(store_->Rollback().ok());

  EXPECT_EQ(Ok(store_->IdentityCount()), 0);
  EXPECT_EQ(store_->MergedInto(b).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Ok(store_->FindRegistration("2210000001", "1")), std::nullopt);
  EXPECT_EQ(Ok(store_->LocatorRows()), 0);
  EXPECT_TRUE(Ok(store_->Locate(a)).empty());
  EXPECT_TRUE(Ok(store_->LinkEvents({})).empty());
  EXPECT_TRUE(Ok(store_->ListReviews(std::nullopt, 10, 0)).empty());
  EXPECT_EQ(store_->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Rollback().code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(store_->Begin().ok());
  const int64_t kept = Ok(store_->NewIdentity());
  Register("2210000001", "1", kept);
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(Ok(store_->IdentityCount()), 1);
  EXPECT_EQ(Ok(store_->Locate(kept)), (std::vector<LocatorEntry>{{"2210000001", "1"}}));
}

TEST_P(IndexStoreTest, ReopeningKeepsDataAndSchema) {
  const int64_t a = Ok(store_->NewIdentity());
  Register("2210000001", "1", a);
  ASSERT_TRUE(store_->RequireDurableCommits().ok());
  store_.reset();
  auto again = IndexStore::Open(db_->url());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Ok((*again)->FindRegistration("2210000001", "1"))->identity, a);
  EXPECT_EQ(Ok((*again)->NewIdentity()), a + 1);
}

// The locator must stay compact at national scale (~20 facilities per person, billions of
// entries): this measures its bytes per entry for 100,000 entries — 5,000 people, each at 20
// of 2,000 facilities, with 10-digit facility codes and local IDs — and prints the figure.
TEST_P(IndexStoreTest, LocatorBytesPerEntry) {
  constexpr int kPeople = 5'000;
  constexpr int kFacilitiesEach = 20;
  constexpr int kFacilities = 2'000;
  const auto start = std::chrono::steady_clock::now();
  std::vector<int64_t> identities;
  ASSERT_TRUE(store_->Begin().ok());
  for (int person = 0; person < kPeople; ++person) {
    const int64_t identity = identities.emplace_back(Ok(store_->NewIdentity()));
    for (int i = 0; i < kFacilitiesEach; ++i) {
      const int facility = (person * 7 + i * 101) % kFacilities;
      ASSERT_GT(Register(fmt::format("{:010}", 1310000000 + facility), fmt::format("{:010}", person * 37 + i),
                         identity),
                0);
    }
  }
  ASSERT_TRUE(store_->Commit().ok());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const int64_t rows = Ok(store_->LocatorRows());
  const int64_t bytes = Ok(store_->LocatorBytes());
  ASSERT_EQ(rows, kPeople * kFacilitiesEach);
  const double per_entry = static_cast<double>(bytes) / static_cast<double>(rows);
  std::cout << fmt::format("[{}] locator: {} entries, {} bytes, {:.1f} bytes per entry ({:.1f} s to register)\n",
                           GetParam(), rows, bytes, per_entry, seconds);
  RecordProperty("locator_bytes_per_entry", fmt::format("{:.1f}", per_entry));
  // Sanity only: an entry holds at least its two 10-digit texts, and nothing near a page.
  EXPECT_GT(per_entry, 10.0);
  EXPECT_LT(per_entry, 500.0);
  ExpectLocatorMatchesRegistrations({identities.front(), identities[kPeople / 2], identities.back()},
                                    /*every_identity=*/false);
}

INSTANTIATE_TEST_SUITE_P(Backends, IndexStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(IndexStoreOpenTest, RejectsBadUrlsAndNewerSchemas) {
  EXPECT_EQ(IndexStore::Open("mysql://x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(IndexStore::Open("sqlite:/nonexistent-dir/x/y.db").status().code(), StatusCode::kUnavailable);
  auto db = sql::TestDatabase::Create("sqlite", "newer-schema");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  {
    auto conn = sql::Open((*db)->url());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT);"
                                 "INSERT INTO schema_migrations VALUES (999, 'x');")
                    .ok());
  }
  EXPECT_EQ(IndexStore::Open((*db)->url()).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace renkei::hub
