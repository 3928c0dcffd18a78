// `renkei ca` as a hub operator uses it: make the region's CA, issue the hub's and edges'
// certificates, revoke one, list what was issued — and the mistakes an operator makes, each
// with a clear message and exit code.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "renkei_cli.h"

namespace renkei::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CaCliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = FreshTestDir("renkei-ca"); }
  void TearDown() override { fs::remove_all(dir_); }

  Result Ca(const std::string& args) { return RunRenkei(dir_, "ca " + args); }

  fs::path dir_;
};

TEST_F(CaCliTest, InitIssueRevokeList) {
  Result init = Ca("init --dir region --name 'Test region' --days 30");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("CA \"Test region\" made in region"), std::string::npos) << init.out;
  for (const char* f : {"ca.key", "ca.crt", "crl.pem", "issued.json"}) EXPECT_TRUE(fs::exists(dir_ / "region" / f)) << f;
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "region" / "ca.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  json hub = RunJson(dir_, "ca issue --dir region --name hub --role hub --dns hub.test --ip 127.0.0.1 --json");
  EXPECT_EQ(hub["name"], "hub");
  EXPECT_EQ(hub["certificate"], "region/issued/hub.crt");
  EXPECT_EQ(hub["key"], "region/issued/hub.key");
  EXPECT_EQ(hub["ca"], "region/issued/ca.crt");
  EXPECT_EQ(hub["serial"].get<std::string>().size(), 32u);
  EXPECT_TRUE(fs::exists(dir_ / "region/issued/hub.key"));

  Result edge = Ca("issue --dir region --name edge-1111111111 --role edge --facility 1111111111 --out certs");
  ASSERT_EQ(edge.exit_code, 0) << edge.err;
  EXPECT_NE(edge.out.find("Issued edge-1111111111 (edge) serial "), std::string::npos) << edge.out;
  EXPECT_NE(edge.out.find("certs/edge-1111111111.key"), std::string::npos) << edge.out;
  EXPECT_TRUE(fs::exists(dir_ / "certs/ca.crt"));

  json list = RunJson(dir_, "ca list --dir region --json");
  ASSERT_EQ(list["certificates"].size(), 2u);
  EXPECT_EQ(list["certificates"][1]["facility"], "1111111111");
  EXPECT_TRUE(list["certificates"][1]["revoked_at"].is_null());

  Result revoke = Ca("revoke --dir region --name edge-1111111111 --reason 'edge retired'");
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_NE(revoke.out.find("Revoked edge-1111111111"), std::string::npos);
  list = RunJson(dir_, "ca list --dir region --json");
  EXPECT_FALSE(list["certificates"][1]["revoked_at"].is_null());
  EXPECT_EQ(list["certificates"][1]["reason"], "edge retired");

  // Revoked, the name may be issued again; the hub's certificate goes by serial.
  EXPECT_EQ(Ca("issue --dir region --name edge-1111111111 --role edge --facility 1111111111").exit_code, 0);
  const std::string serial = hub["serial"];
  Result by_serial = Ca("revoke --dir region --serial " + serial);
  EXPECT_EQ(by_serial.exit_code, 0) << by_serial.err;
  Result text = Ca("list --dir region");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("SERIAL"), std::string::npos);
  EXPECT_NE(text.out.find(serial), std::string::npos);
  EXPECT_NE(text.out.find("(unspecified)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("valid"), std::string::npos) << text.out;
  Result crl = Ca("crl --dir region");
  EXPECT_EQ(crl.exit_code, 0) << crl.err;
  EXPECT_NE(crl.out.find("crl.pem re-signed"), std::string::npos);
}

TEST_F(CaCliTest, MistakesAreExplained) {
  auto expect = [&](const std::string& args, int code, const std::string& message) {
    Result r = Ca(args);
    EXPECT_EQ(r.exit_code, code) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
  };
  expect("list --dir nowhere", 3, "renkei ca list: nowhere: no such directory");
  fs::create_directories(dir_ / "empty");
  expect("issue --dir empty --name x --role service", 2, "empty is not a CA directory (no ca.key)");
  ASSERT_EQ(Ca("init --dir region").exit_code, 0);
  expect("init --dir region", 2, "region is a CA already");
  expect("issue --dir region --name x --role admin", 2, "--role: unknown role 'admin' (hub, edge, service, user or operator)");
  expect("issue --dir region --name edge-1 --role edge", 2, "an edge needs its facility's code");
  expect("issue --dir region --name edge-1 --role edge --facility '11 11'", 2, "a facility code is 1-64");
  expect("issue --dir region --name ../up --role service", 2, "a name is 1-64");
  expect("issue --dir region --name svc --role service --dns x.test", 2, "only a hub's certificate");
  ASSERT_EQ(Ca("issue --dir region --name svc --role service").exit_code, 0);
  expect("issue --dir region --name svc --role service", 2, "a certificate named svc is issued");
  expect("revoke --dir region", 2, "give --name or --serial");
  expect("revoke --dir region --name ghost", 3, "no certificate named ghost");
  ASSERT_EQ(::chmod((dir_ / "region/ca.key").c_str(), 0640), 0);
  expect("issue --dir region --name svc2 --role service", 2, "may be read by others (mode 0640)");
  ASSERT_EQ(::chmod((dir_ / "region/ca.key").c_str(), 0600), 0);
  std::ofstream(dir_ / "region/issued.json") << "{ broken";
  expect("list --dir region", 1, "issued.json: not an issued.json");
  Result help = Ca("issue --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("hub, edge, service, user or operator"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace renkei::testing
