// Log against SQLite and PostgreSQL alike: numbering, queries, heads, durability settings, many
// threads at once, reopening, pruning, and what it refuses.
#include "audit/log.h"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "audit/test_util.h"
#include "base/time.h"

namespace renkei::audit {
namespace {

using testing::AuditTest;
using testing::ChartView;

std::vector<int64_t> Seqs(const Page& page) {
  std::vector<int64_t> out;
  for (const Entry& e : page.entries) out.push_back(e.seq);
  return out;
}

class AuditLogTest : public AuditTest {};

TEST_P(AuditLogTest, NumbersEntriesFromZeroAndStoresTheirCanonicalText) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->size(), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Ok(log->Append(ChartView(i))), i);
  EXPECT_EQ(log->size(), 3);
  Page page = Ok(log->List({}));
  ASSERT_EQ(Seqs(page), (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(page.entries[0].text, Ok(CanonicalText(ChartView(2))));
  EXPECT_EQ(page.entries[0].event, ChartView(2));
  EXPECT_FALSE(page.next_before.has_value());
}

TEST_P(AuditLogTest, FillsInTheTimeWhenNoneIsGiven) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  Event e = ChartView(0);
  e.time_ms = 0;
  const int64_t before = NowUnixMs();
  ASSERT_TRUE(log->Append(e).ok());
  const Event stored = Ok(log->List({})).entries.at(0).event;
  EXPECT_GE(stored.time_ms, before);
  EXPECT_LE(stored.time_ms, NowUnixMs());
}

TEST_P(AuditLogTest, ListsAPatientsEntriesNewestFirstInPages) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(ChartView(i, i % 2 == 0 ? "RK-A" : "RK-B")).ok());
  Query q;
  q.patient = "RK-A";
  q.limit = 2;
  Page first = Ok(log->List(q));
  EXPECT_EQ(Seqs(first), (std::vector<int64_t>{8, 6}));
  ASSERT_EQ(first.next_before, 6);
  q.before = first.next_before;
  Page second = Ok(log->List(q));
  EXPECT_EQ(Seqs(second), (std::vector<int64_t>{4, 2}));
  q.before = second.next_before;
  Page last = Ok(log->List(q));
  EXPECT_EQ(Seqs(last), (std::vector<int64_t>{0}));
  EXPECT_FALSE(last.next_before.has_value());
  for (const Entry& e : last.entries) EXPECT_EQ(e.event.patient, "RK-A");
}

TEST_P(AuditLogTest, ListsForOperatorsByPrincipalFacilityActionAndTime) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 6; ++i) {
    Event e = ChartView(i);
    if (i >= 3) e.who = {"operator-ito", "operator", ""};
    if (i == 5) e.action = "policy.change";
    ASSERT_TRUE(log->Append(e).ok());
  }
  Query by_principal;
  by_principal.principal = "operator-ito";
  EXPECT_EQ(Seqs(Ok(log->List(by_principal))), (std::vector<int64_t>{5, 4, 3}));
  Query by_facility;
  by_facility.facility = "1111111111";
  EXPECT_EQ(Seqs(Ok(log->List(by_facility))), (std::vector<int64_t>{2, 1, 0}));
  Query by_action;
  by_action.action = "policy.change";
  EXPECT_EQ(Seqs(Ok(log->List(by_action))), (std::vector<int64_t>{5}));
  Query by_time;
  by_time.from_ms = ChartView(1).time_ms;
  by_time.to_ms = ChartView(4).time_ms;
  EXPECT_EQ(Seqs(Ok(log->List(by_time))), (std::vector<int64_t>{3, 2, 1}));
  by_time.principal = "operator-ito";
  EXPECT_EQ(Seqs(Ok(log->List(by_time))), (std::vector<int64_t>{3}));

  Query bad;
  bad.limit = 0;
  EXPECT_EQ(log->List(bad).status().code(), StatusCode::kInvalidArgument);
  bad.limit = kMaxListLimit + 1;
  EXPECT_EQ(log->List(bad).status().message(), "limit: 1001 is not between 1 and 1000");
  bad.limit = 10;
  bad.before = -1;
  EXPECT_EQ(log->List(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(AuditLogTest, AppendAllWritesConsecutiveEntriesOrNone) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(ChartView(0)).ok());
  std::vector<Event> events{ChartView(1), ChartView(2), ChartView(3)};
  EXPECT_EQ(Ok(log->AppendAll(events)), 1);
  events[1].reason = std::string(kMaxReasonBytes + 1, 'x');
  Status s = log->AppendAll(events).status();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "event 1: reason: 4097 bytes, at most 4096");
  EXPECT_EQ(log->AppendAll({}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->size(), 4);
}

TEST_P(AuditLogTest, RejectsOversizedOrMalformedEventsWritingNothing) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  Event e = ChartView(0);
  e.patient = std::string(65, '9');
  Status s = log->Append(e).status();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "patient: 65 bytes, at most 64");
  e = ChartView(0);
  e.remote = "\xc3\x28";
  EXPECT_EQ(log->Append(e).status().message(), "remote: byte 0: invalid UTF-8: missing continuation byte");
  EXPECT_EQ(log->size(), 0);
  EXPECT_TRUE(Ok(log->List({})).entries.empty());
}

TEST_P(AuditLogTest, WritesASignedHeadEveryNEntriesAndOnFlush) {
  auto log = OpenLog(Signed(/*head_every=*/4));
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(ChartView(i)).ok());
  EXPECT_EQ(log->latest_head().size, 4);
  TreeHead head = Ok(log->Flush());
  EXPECT_EQ(head.size, 5);
  EXPECT_EQ(head.previous, 4);
  EXPECT_FALSE(head.signature.empty());
  EXPECT_EQ(Ok(pki::VerifySigned(SignedText(head), head.signature, head.certificate, CaPem())).name, "hub");
  // Nothing new: the same head.
  EXPECT_EQ(Ok(log->Flush()), head);
  auto rows = Ok(Sql()->Query("SELECT size, previous FROM audit_heads ORDER BY size", {}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), 4);
  EXPECT_EQ(rows[0].Int(1), 0);
  EXPECT_EQ(rows[1].Int(0), 5);
  EXPECT_EQ(rows[1].Int(1), 4);
}

TEST_P(AuditLogTest, WritesAHeadAtMostHeadDelayAfterAnEntry) {
  LogOptions options = Signed(/*head_every=*/1000);
  options.head_delay = std::chrono::milliseconds(50);
  auto log = OpenLog(std::move(options));
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(ChartView(0)).ok());
  for (int i = 0; i < 200 && log->latest_head().size != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(log->latest_head().size, 1);
}

TEST_P(AuditLogTest, UnsignedLogStillWritesHeads) {
  LogOptions options;
  options.durable = false;
  options.head_every = 2;
  auto log = OpenLog(std::move(options));
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->Append(ChartView(i)).ok());
  TreeHead head = Ok(log->Flush());
  EXPECT_EQ(head.size, 3);
  EXPECT_TRUE(head.signature.empty());
  ASSERT_TRUE(log->Close().ok());
  // Without a CA the chain and heads are checked; with one, the unsigned heads are reported.
  auto db = Sql();
  VerifyReport plain = Ok(Verify(*db));
  EXPECT_TRUE(plain.intact) << Describe(plain);
  EXPECT_EQ(plain.heads, 2);
  EXPECT_EQ(plain.signatures, 0);
  VerifyReport with_ca = VerifyLog();
  EXPECT_FALSE(with_ca.intact);
  EXPECT_EQ(Describe(with_ca), "entry 0: entries 0..1 do not match signed head 2: it is not signed");
}

TEST_P(AuditLogTest, ReopeningContinuesTheNumberingAndTheChain) {
  Fill(5);
  {
    auto log = OpenLog();
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->size(), 5);
    EXPECT_EQ(log->latest_head().size, 5);
    EXPECT_EQ(Ok(log->Append(ChartView(5))), 5);
  }  // closed by its destructor, which writes the last head
  VerifyReport report = VerifyLog();
  EXPECT_TRUE(report.intact) << Describe(report);
  EXPECT_EQ(report.entries, 6);
  EXPECT_EQ(report.covered, 6);
}

TEST_P(AuditLogTest, ManyThreadsAppendEveryEntryOnceAndTheChainHolds) {
  LogOptions options = Signed(/*head_every=*/100);
  options.max_batch = 64;
  options.max_pending = 128;  // small, so that appenders also wait for room
  auto log = OpenLog(std::move(options));
  ASSERT_NE(log, nullptr);
  constexpr int kThreads = 8, kEach = 250;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> numbers(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto seq = log->Append(ChartView(t * kEach + i));
        if (seq.ok()) numbers[t].push_back(*seq);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& n : numbers) {
    EXPECT_EQ(n.size(), static_cast<size_t>(kEach));
    EXPECT_TRUE(std::is_sorted(n.begin(), n.end()));  // one thread's entries stay in its order
    all.insert(n.begin(), n.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), kThreads * kEach - 1);
  ASSERT_TRUE(log->Close().ok());
  // Every request ID once, and the entry number each thread was told holds its event.
  auto rows = Ok(Sql()->Query("SELECT COUNT(DISTINCT entry), COUNT(*) FROM audit_entries", {}));
  EXPECT_EQ(rows.at(0).Int(0), kThreads * kEach);
  EXPECT_EQ(rows.at(0).Int(1), kThreads * kEach);
  const int64_t seq_of_t3_i7 = numbers[3][7];
  auto text = Ok(Sql()->Query("SELECT entry FROM audit_entries WHERE seq = $1", {seq_of_t3_i7}));
  EXPECT_EQ(Ok(ParseEvent(text.at(0).Text(0))).request_id, "req-757");
  VerifyReport report = VerifyLog();
  EXPECT_TRUE(report.intact) << Describe(report);
  EXPECT_EQ(report.covered, kThreads * kEach);
}

TEST_P(AuditLogTest, ClosedLogRefusesWork) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append(ChartView(0)).ok());
  EXPECT_TRUE(log->Close().ok());
  EXPECT_TRUE(log->Close().ok());  // idempotent
  EXPECT_EQ(log->Append(ChartView(1)).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->Flush().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->latest_head().size, 1);
}

TEST_P(AuditLogTest, BeginQueuesWithoutWaitingAndWaitGivesTheCommittedNumber) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  std::vector<Log::Pending> pending;
  for (int i = 0; i < 20; ++i) pending.push_back(log->Begin(ChartView(i)));
  std::set<int64_t> numbers;
  for (Log::Pending& p : pending) numbers.insert(Ok(p.Wait()));
  EXPECT_EQ(numbers.size(), 20u);
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), 19);
  EXPECT_EQ(Ok(pending[3].Wait()), Ok(pending[3].Wait()));  // again: the same
  EXPECT_EQ(Ok(log->List({.limit = 1000})).entries.size(), 20u);
  // An entry left unwaited is still committed: its destructor waits for the writer.
  { Log::Pending dropped = log->Begin(ChartView(20)); }
  EXPECT_EQ(log->size(), 21);
  // Invalid events and a closed log fail at Wait, with Append's errors.
  Event bad = ChartView(21);
  bad.action = "";
  EXPECT_EQ(log->Begin(bad).Wait().status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(log->Begin(ChartView(22)).Wait().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->size(), 21);
}

TEST_P(AuditLogTest, RefusesToOpenALogWhoseEndWasCutAway) {
  Fill(10, Signed(/*head_every=*/5));
  Exec("DELETE FROM audit_entries WHERE seq >= 8");
  auto log = Log::Open(db_->url(), Signed());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(log.status().message(),
            "the audit log ends at entry 7 but its last signed head covers 10 entries; run renkei audit verify");
}

TEST_P(AuditLogTest, RefusesToOpenALogWhoseLastEntryDisagreesWithItsHead) {
  Fill(4, Signed(/*head_every=*/4));
  Exec("UPDATE audit_entries SET chain = $1 WHERE seq = 3", {sql::Blob{std::string(32, 'x')}});
  auto log = Log::Open(db_->url(), Signed());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss) << log.status().ToString();
}

TEST_P(AuditLogTest, PrunesAWholePrefixUpToASignedHeadAndVerifyStartsThere) {
  auto log = OpenLog(Signed(/*head_every=*/4));
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(ChartView(i)).ok());  // heads at 4 and 8
  // Entries 0..5 are older than the cut time; the largest head not past it is 4.
  PruneResult pruned = Ok(log->Prune(ChartView(6).time_ms));
  EXPECT_EQ(pruned.removed, 4);
  EXPECT_EQ(pruned.first, 4);
  Query q;
  q.action = "audit.prune";
  Page record = Ok(log->List(q));
  ASSERT_EQ(record.entries.size(), 1u);
  EXPECT_EQ(record.entries[0].seq, 10);
  EXPECT_EQ(record.entries[0].event.basis, "head:4");
  EXPECT_EQ(record.entries[0].event.who.name, "hub");
  // Nothing more may go: the next head (8) has newer entries below it.
  EXPECT_EQ(Ok(log->Prune(ChartView(6).time_ms)).removed, 0);
  ASSERT_TRUE(log->Append(ChartView(11)).ok());
  ASSERT_TRUE(log->Close().ok());

  VerifyReport report = VerifyLog();
  EXPECT_TRUE(report.intact) << Describe(report);
  EXPECT_EQ(report.first, 4);
  EXPECT_EQ(report.entries, 8);  // 4..11

  // A prefix removed in the same way but without the record is reported.
  Exec("DELETE FROM audit_entries WHERE seq = 10");
  report = VerifyLog();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad, 10);
}

TEST_P(AuditLogTest, APrefixRemovedWithoutPruneIsReported) {
  Fill(8, Signed(/*head_every=*/4));
  Exec("DELETE FROM audit_entries WHERE seq < 4");
  VerifyReport report = VerifyLog();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(Describe(report),
            "entry 0: entries 0..3 were removed without a prune record (an audit.prune entry with basis head:4)");
  Exec("DELETE FROM audit_heads WHERE size = 4");
  report = VerifyLog();
  EXPECT_EQ(Describe(report), "entry 0: missing: the log starts at entry 4 and no signed head marks a cut there");
}

TEST_P(AuditLogTest, OpenRefusesMalformedStoresAndOptions) {
  auto expect = [](std::string_view url, StatusCode code) {
    auto log = Log::Open(url);
    EXPECT_FALSE(log.ok()) << url;
    EXPECT_EQ(log.status().code(), code) << url << ": " << log.status().ToString();
  };
  expect("mysql://localhost/audit", StatusCode::kInvalidArgument);
  expect("sqlite:", StatusCode::kInvalidArgument);
  expect("", StatusCode::kInvalidArgument);
  expect("sqlite:/dev/null/audit.db", StatusCode::kUnavailable);  // a parent that is no folder
  expect("postgresql://%zz@/", StatusCode::kInvalidArgument);
  LogOptions bad;
  bad.head_every = 0;
  EXPECT_EQ(Log::Open(db_->url(), bad).status().message(), "head_every must be at least 1");
  bad = {};
  bad.max_pending = 1;
  EXPECT_EQ(Log::Open(db_->url(), bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(AuditLogTest, SharesADatabaseWithOtherComponentsButNotANewerSchema) {
  // Another component's schema history (the hub's index keeps its own in schema_migrations).
  Exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)");
  Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (7, 'then')");
  Fill(2);
  EXPECT_TRUE(OpenForReading(db_->url()).ok());

  Exec("INSERT INTO audit_schema_migrations (version, applied_at) VALUES (99, 'later')");
  EXPECT_EQ(Log::Open(db_->url(), Signed()).status().code(), StatusCode::kFailedPrecondition);
  auto reading = OpenForReading(db_->url());
  EXPECT_EQ(reading.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reading.status().message(),
            "the audit log's schema version 99 is newer than this program's 1; upgrade renkei");
}

TEST_P(AuditLogTest, ListReportsARowWhoseColumnsWereChanged) {
  Fill(3);
  Exec("UPDATE audit_entries SET patient = 'RK-OTHER' WHERE seq = 1");
  auto db = Ok(OpenForReading(db_->url()));
  Query q;
  q.patient = "RK-OTHER";
  auto page = List(*db, q);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(page.status().message(),
            "entry 1: its patient column (RK-OTHER) differs from its text (RK00000000018); run renkei audit verify");
}

TEST_P(AuditLogTest, OpenForReadingCreatesNothing) {
  if (GetParam() == "sqlite") {
    const std::string missing = (std::filesystem::temp_directory_path() / "renkei-audit-missing.db").string();
    auto db = OpenForReading("sqlite:" + missing);
    EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
    EXPECT_FALSE(std::filesystem::exists(missing));
  }
  // A database without an audit log (here: an empty one).
  auto empty = OpenForReading(db_->url());
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound) << empty.status().ToString();
  Fill(1);
  EXPECT_TRUE(OpenForReading(db_->url()).ok());
}

INSTANTIATE_TEST_SUITE_P(audit, AuditLogTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace renkei::audit
