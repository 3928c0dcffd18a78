// `renkei hub serve` and its command-line clients, as facilities and an operator use them:
// three facilities register one person under three local IDs, each finds the others' IDs by
// its own, the operator corrects the index and resolves a review — over real HTTP, against
// SQLite and PostgreSQL, across a restart.
#include <gtest/gtest.h>

#include "http/client.h"
#include "sql/test_database.h"
#include "renkei_cli.h"

namespace renkei::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HubCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("renkei-hub");
    auto db = sql::TestDatabase::Create(GetParam() == "sqlite" ? "sqlite" : "postgresql",
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    a_ = Token("edge-a", "facility", "1111111111");
    b_ = Token("edge-b", "facility", "2222222222");
    c_ = Token("edge-c", "facility", "3333333333");
    op_ = Token("operator-sato", "operator", "");
    StartHub();
  }

  std::string Token(const std::string& name, const std::string& role, const std::string& facility) {
    Result r = RunRenkei(dir_, fmt::format("hub token add --name {} --role {}{}", name, role,
                                           facility.empty() ? "" : " --facility " + facility));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string t = r.out;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    return t;
  }

  void StartHub() {
    hub_ = std::make_unique<BackgroundRenkei>();
    port_ = hub_->Start(dir_, "hub", {"hub", "serve", "--store", db_->url(), "--listen", "127.0.0.1:0", "--log-level", "warn"});
    ASSERT_NE(port_, 0) << hub_->err();
  }

  std::string Url() const { return fmt::format("http://127.0.0.1:{}", port_); }

  // A hub client command with a caller's token; JSON out, `expected` exit.
  json Hub(const std::string& token, const std::string& args, int expected = 0) {
    Result r = RunRenkei(dir_, fmt::format("hub {} --hub {} --token {}", args, Url(), token));
    EXPECT_EQ(r.exit_code, expected) << args << "\n" << r.err;
    last_err_ = r.err;
    if (expected != 0) return nullptr;
    return json::parse(r.out, nullptr, false);
  }

  std::string Register(const std::string& token, const std::string& local_id, const std::string& demographics,
                       const std::string& expected_outcome) {
    json j = Hub(token, fmt::format("patients register --local-id {} {} --consent", local_id, demographics));
    EXPECT_EQ(j["outcome"], expected_outcome) << j.dump(2);
    return j.value("regional_id", "");
  }

  fs::path dir_;
  std::unique_ptr<sql::TestDatabase> db_;  // outlives the hub process below
  std::string a_, b_, c_, op_;
  std::unique_ptr<BackgroundRenkei> hub_;
  int port_ = 0;
  std::string last_err_;
};

const std::string kYamadaA =
    "--family-kanji 山田 --given-kanji 太郎 --family-kana ヤマダ --given-kana タロウ --birth-date 19650412 --sex M "
    "--postal-code 420-0001 --address 静岡県静岡市葵区追手町9-6 --phone 054-123-4567";
const std::string kYamadaB =
    "--family-kanji 山田 --given-kanji 太郎 --family-kana ﾔﾏﾀﾞ --given-kana ﾀﾛｰ --birth-date 1965-04-12 --sex 男 "
    "--address 静岡市葵区追手町九番六号 --phone '０５４（１２３）４５６７'";
const std::string kYamadaC =
    "--family-kanji '山田 ' --given-kanji 太郎 --family-kana やまだ --given-kana たろう --birth-date 19650412 --sex M "
    "--postal-code 4200001 --address 静岡県静岡市葵区追手町9-6";
const std::string kSato =
    "--family-kanji 佐藤 --given-kanji 花子 --family-kana サトウ --given-kana ハナコ --birth-date 19800102 --sex F "
    "--address 静岡県浜松市中区元城町103-2 --phone 053-999-0000";

TEST_P(HubCliTest, OnePersonThreeFacilitiesPixPdqAndLocator) {
  const std::string rk = Register(a_, "0012345", kYamadaA, "new");
  ASSERT_TRUE(rk.starts_with("RK")) << rk;
  EXPECT_EQ(Register(b_, "88-301", kYamadaB, "linked"), rk) << "ヤマダ タロウ at B is 山田太郎 at A";
  EXPECT_EQ(Register(c_, "77", kYamadaC, "linked"), rk);
  const std::string sato = Register(a_, "0099999", kSato, "new");
  EXPECT_NE(sato, rk);

  // B looks up its own local ID and sees A's and C's.
  json x = Hub(b_, "patients show --facility 2222222222 --local-id 88-301");
  EXPECT_EQ(x["regional_id"], rk);
  ASSERT_EQ(x["identifiers"].size(), 3u);
  bool saw_a = false;
  for (const json& id : x["identifiers"]) {
    if (id["facility"] == "1111111111") {
      saw_a = id["local_id"] == "0012345";
      EXPECT_FALSE(id.contains("demographics")) << "B does not see A's demographics";
    }
  }
  EXPECT_TRUE(saw_a) << x.dump(2);
  // By regional ID too; and the locator.
  EXPECT_EQ(Hub(c_, "patients show --regional-id " + rk)["identifiers"].size(), 3u);
  EXPECT_EQ(Hub(a_, "patients locate --regional-id " + rk)["facilities"].size(), 3u);

  // B may not look up A's local IDs, nor Sato (registered at A only).
  Hub(b_, "patients show --facility 1111111111 --local-id 0012345", 5);
  Hub(b_, "patients show --regional-id " + sato, 5);
  // An unknown regional ID and a mistyped one.
  Hub(op_, "patients show --regional-id RK99999999990", 3);
  Hub(op_, "patients show --regional-id RK00000000019", 2);

  // PDQ: by a partial reading and the birth date, best first.
  json hits = Hub(op_, "patients search --family-kana ヤマ --birth-date 19650412");
  ASSERT_GE(hits["persons"].size(), 1u);
  EXPECT_EQ(hits["persons"][0]["regional_id"], rk);
  json by_phone = Hub(op_, "patients search --phone 053-999-0000");
  ASSERT_EQ(by_phone["persons"].size(), 1u);
  EXPECT_EQ(by_phone["persons"][0]["regional_id"], sato);
  // A facility sees only its own patients among the hits.
  EXPECT_EQ(Hub(c_, "patients search --phone 053-999-0000")["persons"].size(), 0u);
  Hub(op_, "patients search", 2);  // nothing to search by

  // The registration is durable and the linker reloads it: after a restart a fourth variant links.
  ASSERT_EQ(hub_->Stop(), 0) << hub_->err();
  StartHub();
  json again = Hub(c_, "patients register --local-id 78 " + kYamadaC + " --consent");
  EXPECT_EQ(again["regional_id"], rk);
  EXPECT_EQ(again["outcome"], "linked");
  EXPECT_EQ(again["score"]["fields"].size(), 10u) << "the decision explains itself field by field";
}

TEST_P(HubCliTest, ConsentAuthenticationAndBadInput) {
  Hub(a_, "patients register --local-id 1 " + kSato, 2);
  EXPECT_NE(last_err_.find("consent"), std::string::npos) << last_err_;
  Hub("rk_not_a_token", "patients show --regional-id RK00000000018", 5);
  Hub(a_, "patients register --facility 2222222222 --local-id 9 " + kSato + " --consent", 5);
  Hub(op_, "patients register --facility 2222222222 --local-id 9 " + kSato + " --consent", 5);
  Hub(a_, "patients register --local-id 9 --family-kanji 佐藤 --consent", 2);  // no birth date
  Hub(a_, "patients link --facility 1111111111 --local-id 1 --regional-id RK00000000018 --reason x", 5);

  // Raw HTTP: what a careless or hostile client may send.
  auto post = [&](const std::string& path, const std::string& body, const std::string& token) {
    auto r = http::Fetch("POST", Url() + path, body, "application/json", std::chrono::seconds(10),
                         {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : http::ClientResponse{};
  };
  EXPECT_EQ(post("/v1/registrations", "{\"local_id\": \"1\",", a_).status, 400);
  EXPECT_EQ(post("/v1/registrations", "[]", a_).status, 400);
  EXPECT_EQ(post("/v1/registrations", R"({"local_id":"1","consent":true,"demographics":{"shoe_size":"9"}})", a_).status, 400);
  EXPECT_EQ(post("/v1/registrations", R"({"local_id":5,"consent":true,"demographics":{}})", a_).status, 400);
  EXPECT_EQ(post("/v1/registrations", std::string(2 << 20, 'x'), a_).status, 413);
  EXPECT_EQ(post("/v1/registrations", R"({"local_id":"1","consent":true,"demographics":{"family_kanji":")" +
                                          std::string(600, 'x') + R"(","birth_date":"19800101"}})", a_).status, 400);
  EXPECT_EQ(post("/v1/registrations", "{}", "").status, 401);
  auto get = http::Fetch("GET", Url() + "/v1/patients/RK00000000018");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 401) << "nothing without authentication";
  EXPECT_EQ(post("/v1/reviews/abc/resolve", R"({"decision":"link","reason":"x"})", op_).status, 400);
  EXPECT_EQ(post("/v1/reviews/1/resolve", R"({"decision":"maybe","reason":"x"})", op_).status, 400);
}

TEST_P(HubCliTest, OperatorCorrectsRevertsAndResolvesReviews) {
  const std::string rk = Register(a_, "0012345", kYamadaA, "new");
  EXPECT_EQ(Register(b_, "88-301", kYamadaB, "linked"), rk);

  // Unlink B's record: it becomes a person of its own; the history says who and why.
  json un = Hub(op_, "patients unlink --facility 2222222222 --local-id 88-301 --reason 'twin brother, checked by phone'");
  const int64_t change = un["change"];
  EXPECT_EQ(Hub(b_, "patients show --facility 2222222222 --local-id 88-301")["identifiers"].size(), 1u);
  json history = Hub(op_, "patients history --regional-id " + rk);
  bool found = false;
  for (const json& e : history["events"]) {
    if (e["action"] == "unlink") {
      found = true;
      EXPECT_EQ(e["actor"], "operator-sato");
      EXPECT_EQ(e["reason"], "twin brother, checked by phone");
    }
  }
  EXPECT_TRUE(found) << history.dump(2);
  Hub(op_, "patients unlink --facility 2222222222 --local-id 88-301 --reason again", 2);  // alone now
  // Revert puts it back.
  Hub(op_, fmt::format("patients revert --change {} --reason 'not a twin after all'", change));
  EXPECT_EQ(Hub(b_, "patients show --facility 2222222222 --local-id 88-301")["regional_id"], rk);
  Hub(op_, fmt::format("patients revert --change {} --reason twice", change), 2);  // moved since

  // The same written name, another birth date and town, no reading: the linker asks the operator.
  json thin = Hub(c_, "patients register --local-id 5 --family-kanji 山田 --given-kanji 太郎 --birth-date 19700101 "
                      "--sex M --address 大阪府大阪市北区梅田1-1 --consent");
  EXPECT_EQ(thin["outcome"], "review") << thin.dump(2);
  const std::string thin_rk = thin["regional_id"];
  EXPECT_NE(thin_rk, rk);
  json reviews = Hub(op_, "review list");
  ASSERT_EQ(reviews["reviews"].size(), 1u);
  const int64_t id = reviews["reviews"][0]["id"];
  json detail = Hub(op_, fmt::format("review show --id {}", id));
  EXPECT_EQ(detail["registration"]["local_id"], "5");
  EXPECT_EQ(detail["candidate"]["regional_id"], rk);
  EXPECT_EQ(detail["registration"]["demographics"]["address"], "大阪府大阪市北区梅田1-1");
  EXPECT_EQ(detail["breakdown"]["fields"].size(), 10u);
  Hub(c_, "review list", 5);  // facilities do not see the queue
  Hub(op_, fmt::format("review resolve --id {} --decision link --reason 'same person, moved to Osaka'", id));
  EXPECT_EQ(Hub(c_, "patients show --facility 3333333333 --local-id 5")["regional_id"], rk);
  Hub(op_, fmt::format("review resolve --id {} --decision keep_apart --reason late", id), 2);
  EXPECT_EQ(Hub(op_, "review list")["reviews"].size(), 0u);

  // Merge two persons; the merged ID still answers, pointing to the survivor.
  const std::string sato = Register(a_, "0099999", kSato, "new");
  Hub(op_, fmt::format("patients merge --regional-id {} --into {} --reason 'test merge'", sato, rk));
  json merged = Hub(op_, "patients show --regional-id " + sato);
  EXPECT_EQ(merged["regional_id"], rk);
  EXPECT_EQ(merged["merged_from"], sato);
}

// The portals' pages: compiled in and served at / and /portal/..., from a directory with
// --portal-dir (to work on them), or not at all with --no-portal; the API is there either way.
TEST(HubServeCliTest, ThePortalsAreServedCompiledInFromADirectoryOrNotAtAll) {
  const fs::path dir = FreshTestDir("renkei-hub-portal");
  fs::create_directories(dir / "pages/js");
  std::ofstream(dir / "pages/index.html") << "<!doctype html><title>working copy</title>";
  std::ofstream(dir / "pages/js/app.js") << "export {};";
  ASSERT_EQ(RunRenkei(dir, "hub token add --name operator-sato --role operator").exit_code, 0);
  const auto get = [](int port, const std::string& target) {
    auto r = http::Fetch("GET", fmt::format("http://127.0.0.1:{}{}", port, target), "", "", std::chrono::seconds(10));
    EXPECT_TRUE(r.ok()) << target;
    return r.ok() ? *r : http::ClientResponse{};
  };
  const std::vector<std::string> base = {"hub", "serve", "--store", "sqlite:hub.db", "--listen", "127.0.0.1:0", "--log-level", "warn"};
  const auto serve = [&](BackgroundRenkei& hub, std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    const int port = hub.Start(dir, "hub", args);
    EXPECT_GT(port, 0) << hub.err();
    return port;
  };
  {
    BackgroundRenkei hub;
    const int port = serve(hub, {});
    const http::ClientResponse page = get(port, "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.headers.at("content-type").rfind("text/html", 0), 0u) << page.headers.at("content-type");
    EXPECT_NE(page.headers.at("content-security-policy").find("script-src 'self'"), std::string::npos);
    EXPECT_NE(page.body.find("/portal/js/app.js"), std::string::npos);
    EXPECT_EQ(get(port, "/portal/js/app.js").status, 200);
    EXPECT_EQ(get(port, "/portal/js/../../hub.db").status, 400);  // no dot segments
    EXPECT_EQ(get(port, "/v1/me").status, 401);
  }
  {
    BackgroundRenkei hub;
    const int port = serve(hub, {"--portal-dir", "pages"});
    EXPECT_EQ(get(port, "/").body, "<!doctype html><title>working copy</title>");
    EXPECT_EQ(get(port, "/portal/js/app.js").body, "export {};");
  }
  {
    BackgroundRenkei hub;
    const int port = serve(hub, {"--no-portal"});
    EXPECT_EQ(get(port, "/").status, 404);
    EXPECT_EQ(get(port, "/portal/js/app.js").status, 404);
    EXPECT_EQ(get(port, "/v1/me").status, 401);
  }
  Result missing = RunRenkei(dir, "hub serve --store sqlite:hub.db --listen 127.0.0.1:0 --portal-dir nowhere");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nowhere"), std::string::npos) << missing.err;
}

INSTANTIATE_TEST_SUITE_P(Stores, HubCliTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace renkei::testing
