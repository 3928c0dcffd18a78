// The operators' region routes against a real `renkei hub serve` over TLS with its CA
// (--ca-dir): the facility directory, certificates issued and revoked over the API — a
// certificate the API issued signs a clinician in, and once revoked is refused on its next
// connection — and the audit trail verified with its heads' signatures. Plus `renkei hub
// facility import|add|list` on the hub's database.
#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/client.h"
#include "pki/tls.h"
#include "renkei_cli.h"

namespace renkei::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kFacility = "1310000001";

std::string TokenOf(const Result& r) {
  const size_t at = r.out.find("rk_");
  return at == std::string::npos ? "" : r.out.substr(at, 67);
}

class RegionCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("renkei-region");
    ASSERT_EQ(RunRenkei(dir_, "ca init --dir ca --name 'Test region'").exit_code, 0);
    ASSERT_EQ(RunRenkei(dir_, "ca issue --dir ca --name hub --role hub --out certs").exit_code, 0);
    operator_ = TokenOf(RunRenkei(dir_, "hub token add --name operator-ito --role operator"));
    facility_ = TokenOf(RunRenkei(dir_, fmt::format("hub token add --name edge-{0} --facility {0}", kFacility)));
    ASSERT_FALSE(operator_.empty() || facility_.empty());
    port_ = hub_.Start(dir_, "hub", {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db", "--tls-cert",
                                     "certs/hub.crt", "--tls-key", "certs/hub.key", "--ca-dir", "ca", "--log-level",
                                     "warn"});
    ASSERT_GT(port_, 0) << hub_.err();
    pki::TlsFiles trust;
    trust.ca = (dir_ / "ca/ca.crt").string();
    auto tls = pki::ClientContext(trust);
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    client_ = std::make_unique<http::Client>(*tls);
  }

  // {status, body} of a call over HTTPS with `token` (a bearer; "" for none).
  std::pair<int, json> Call(const std::string& method, const std::string& path, const std::string& token,
                            const std::string& body = "", const std::string& type = "application/json") {
    http::HeaderList headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    auto r = client_->Fetch(method, fmt::format("https://127.0.0.1:{}{}", port_, path), body, type, 30s, headers);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().ToString();
    if (!r.ok()) return {0, nullptr};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

  std::filesystem::path dir_;
  std::string operator_, facility_;
  BackgroundRenkei hub_;
  int port_ = 0;
  std::unique_ptr<http::Client> client_;
};

TEST_F(RegionCliTest, OperatorsKeepTheFacilityDirectoryEveryoneReadsIt) {
  const json hospital = {{"facility", kFacility}, {"name", "丸の内医療センター"}, {"kind", "hospital"},
                         {"prefecture", "東京都"}, {"address", "東京都千代田区丸の内4-5-3"}};
  auto [made, stored] = Call("POST", "/v1/facilities", operator_, hospital.dump());
  ASSERT_EQ(made, 201) << stored.dump();
  EXPECT_EQ(stored["name"], "丸の内医療センター");
  json renamed = hospital;
  renamed["name"] = "丸の内医療センター本院";
  EXPECT_EQ(Call("POST", "/v1/facilities", operator_, renamed.dump()).first, 200);
  auto [listed, list] = Call("GET", "/v1/facilities", facility_);
  ASSERT_EQ(listed, 200) << list.dump();
  ASSERT_EQ(list["facilities"].size(), 1u);
  EXPECT_EQ(list["facilities"][0]["name"], "丸の内医療センター本院");
  EXPECT_EQ(list["facilities"][0]["kind"], "hospital");

  // Only operators change it; nobody anonymous reads it; hostile bodies change nothing.
  EXPECT_EQ(Call("POST", "/v1/facilities", facility_, hospital.dump()).first, 403);
  EXPECT_EQ(Call("GET", "/v1/facilities", "").first, 401);
  for (const auto& [body, expected] : std::vector<std::pair<std::string, int>>{
           {R"({"facility":"1310000002","name":"x","beds":300})", 400},
           {R"({"facility":"13100'; DROP TABLE hub_facilities;--","name":"x"})", 400},
           {R"({"facility":"1310000002"})", 400},
           {R"({"facility":"1310000002","name":7})", 400},
           {R"({"facility":"1310000002","name":"x","kind":"spaceship"})", 400},
           {R"({"facility":"1310000002","name":"x)", 400},
           {"[]", 400},
           {"", 400},
           {json{{"facility", "1310000002"}, {"name", std::string(2 << 20, 'x')}}.dump(), 413}}) {
    EXPECT_EQ(Call("POST", "/v1/facilities", operator_, body).first, expected) << body.substr(0, 80);
  }
  EXPECT_EQ(Call("POST", "/v1/facilities", operator_, hospital.dump(), "text/plain").first, 400);
  EXPECT_EQ(Call("GET", "/v1/facilities", facility_).second["facilities"].size(), 1u);
}

TEST_F(RegionCliTest, ACertificateIssuedOverTheApiSignsInUntilItIsRevoked) {
  auto [issued, cert] = Call("POST", "/v1/certificates", operator_,
                             json{{"name", "dr-sato"}, {"role", "user"}, {"facility", kFacility}, {"days", 30}}.dump());
  ASSERT_EQ(issued, 201) << cert.dump();
  EXPECT_EQ(cert["certificate"]["name"], "dr-sato");
  EXPECT_EQ(cert["certificate"]["role"], "user");
  EXPECT_TRUE(cert["certificate"]["revoked_at"].is_null());
  EXPECT_TRUE(cert["private_key_pem"].get<std::string>().starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_EQ(cert["ca_pem"], Slurp(dir_ / "ca/ca.crt"));
  const std::string serial = cert["certificate"]["serial"];
  std::ofstream(dir_ / "dr-sato.crt") << cert["certificate_pem"].get<std::string>();
  std::ofstream(dir_ / "dr-sato.key") << cert["private_key_pem"].get<std::string>();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "dr-sato.key.tmp"));

  // The new certificate signs in as a clinician of its facility.
  const auto me_with_certificate = [&]() -> StatusOr<http::ClientResponse> {
    pki::TlsFiles files;
    files.cert = (dir_ / "dr-sato.crt").string();
    files.key = (dir_ / "dr-sato.key").string();
    files.ca = (dir_ / "ca/ca.crt").string();
    auto tls = pki::ClientContext(files);
    if (!tls.ok()) return tls.status();
    return http::Client(*tls).Fetch("GET", fmt::format("https://127.0.0.1:{}/v1/me", port_), "", "application/json", 10s);
  };
  auto me = me_with_certificate();
  ASSERT_TRUE(me.ok()) << me.status().ToString();
  ASSERT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body)["role"], "clinician");
  EXPECT_EQ(json::parse(me->body)["facility"], kFacility);

  // Listed, newest first; the private key is in no listing and nowhere on the hub's disk.
  auto [listed, list] = Call("GET", "/v1/certificates", operator_);
  ASSERT_EQ(listed, 200);
  EXPECT_EQ(list["certificates"][0]["serial"], serial);
  EXPECT_EQ(list.dump().find("PRIVATE KEY"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "ca/dr-sato.key"));

  // Revoked over the API: refused on the next connection.
  auto [revoked, entry] = Call("POST", "/v1/certificates/" + serial + "/revoke", operator_,
                               json{{"reason", "left the hospital"}}.dump());
  ASSERT_EQ(revoked, 200) << entry.dump();
  EXPECT_FALSE(entry["revoked_at"].is_null());
  EXPECT_EQ(entry["reason"], "left the hospital");
  StatusOr<http::ClientResponse> refused = Internal("not tried");
  for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
    refused = me_with_certificate();
    if (!refused.ok()) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(refused.ok()) << "a revoked certificate still signs in";
  EXPECT_EQ(Call("POST", "/v1/certificates/" + serial + "/revoke", operator_, json{{"reason", "again"}}.dump()).first, 409);

  // What is refused: others than operators, a hub certificate, malformed requests.
  EXPECT_EQ(Call("GET", "/v1/certificates", facility_).first, 403);
  EXPECT_EQ(Call("POST", "/v1/certificates", facility_, json{{"name", "x"}, {"role", "user"}}.dump()).first, 403);
  for (const json& bad : {json{{"name", "hub2"}, {"role", "hub"}}, json{{"name", "../../etc/x"}, {"role", "user"}},
                          json{{"name", "edge-x"}, {"role", "edge"}}, json{{"name", "x"}, {"role", "king"}},
                          json{{"name", "x"}, {"role", "user"}, {"days", 0}}, json{{"role", "user"}},
                          json{{"name", "x"}, {"role", "service"}, {"facility", kFacility}}}) {
    EXPECT_EQ(Call("POST", "/v1/certificates", operator_, bad.dump()).first, 400) << bad.dump();
  }
  EXPECT_EQ(Call("POST", "/v1/certificates", operator_,
                 json{{"name", "dr-sato"}, {"role", "user"}, {"facility", kFacility}}.dump()).first, 201)
      << "the name of a revoked certificate may be issued again";
  EXPECT_EQ(Call("POST", "/v1/certificates", operator_,
                 json{{"name", "dr-sato"}, {"role", "user"}, {"facility", kFacility}}.dump()).first, 409);
  EXPECT_EQ(Call("POST", "/v1/certificates/ffff/revoke", operator_, json{{"reason", "x"}}.dump()).first, 404);
  EXPECT_EQ(Call("POST", "/v1/certificates/" + serial + "/revoke", operator_, "{}").first, 400) << "a reason is required";
}

TEST_F(RegionCliTest, OperatorsVerifyTheTrailWithItsSignedHeads) {
  // Put entries on the trail; a restart closes it under a signed head.
  for (int i = 0; i < 5; ++i) Call("GET", "/v1/certificates", operator_);
  ASSERT_EQ(hub_.Stop(), 0) << hub_.err();
  port_ = hub_.Start(dir_, "hub", {"hub", "serve", "--listen", "127.0.0.1:0", "--store", "sqlite:hub.db", "--tls-cert",
                                   "certs/hub.crt", "--tls-key", "certs/hub.key", "--ca-dir", "ca", "--log-level", "warn"});
  ASSERT_GT(port_, 0) << hub_.err();
  auto [verified, report] = Call("POST", "/v1/audit/verify", operator_);
  ASSERT_EQ(verified, 200) << report.dump();
  EXPECT_TRUE(report["intact"].get<bool>()) << report.dump();
  EXPECT_GE(report["entries"].get<int>(), 5);
  EXPECT_GT(report["heads"].get<int>(), 0) << report.dump();
  EXPECT_EQ(report["signatures"], report["heads"]) << "each head's signature checked against the region's CA";
  EXPECT_EQ(report["signer"], "hub") << report.dump();
  EXPECT_EQ(Call("POST", "/v1/audit/verify", facility_).first, 403);
  // The verification is itself on the trail.
  auto [found, page] = Call("GET", "/v1/audit?action=audit.verify", operator_);
  ASSERT_EQ(found, 200);
  ASSERT_EQ(page["entries"].size(), 2u) << page.dump();  // the operator's and the refused facility's
  EXPECT_EQ(page["entries"][0]["decision"], "deny");
  EXPECT_EQ(page["entries"][1]["who"], "operator-ito");
}

TEST(RegionFacilityCliTest, ImportAddAndListTheDirectoryOnTheHubsDatabase) {
  const auto dir = FreshTestDir("renkei-region-cli");
  std::ofstream(dir / "facilities.csv") << "facility_id,name,kind,folder,prefecture,city,address,phone,patient_id_digits\n"
                                           "1318158866,丸の内医療センター,hospital,x,東京都,千代田区,東京都千代田区丸の内4-5-3,03-3399-5201,8\n"
                                           "2216979563,笠原内科クリニック,clinic,x,静岡県,静岡市葵区,,054-421-0887,8\n";
  Result imported = RunRenkei(dir, "hub facility import --store sqlite:hub.db --csv facilities.csv");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("2 facilities"), std::string::npos) << imported.out;
  ASSERT_EQ(RunRenkei(dir, "hub facility add --store sqlite:hub.db --facility 4410000001 --name 'さくら薬局' --kind pharmacy")
                .exit_code,
            0);
  json list = RunJson(dir, "hub facility list --store sqlite:hub.db");
  ASSERT_EQ(list["facilities"].size(), 3u) << list.dump();
  EXPECT_EQ(list["facilities"][0]["name"], "丸の内医療センター");
  EXPECT_EQ(list["facilities"][2]["kind"], "pharmacy");

  std::ofstream(dir / "bad.csv") << "facility_id,name\n1318158866,ok\n22169,\n";
  Result bad = RunRenkei(dir, "hub facility import --store sqlite:hub.db --csv bad.csv");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("'name' is required"), std::string::npos) << bad.err;
  Result missing = RunRenkei(dir, "hub facility import --store sqlite:hub.db --csv nope.csv");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("--csv"), std::string::npos) << missing.err;
  EXPECT_NE(RunRenkei(dir, "hub facility add --store sqlite:hub.db --facility '../x' --name y").exit_code, 0);
}

}  // namespace
}  // namespace renkei::testing
