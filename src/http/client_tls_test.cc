// http::Client over https:// against the Server with a TLS context: the regional CA's
// certificates both ways, and the refusals a client must report precisely.
#include <atomic>

#include <gtest/gtest.h>

#include "http/client.h"
#include "http/test_util.h"
#include "pki/test_util.h"
#include "pki/tls.h"

namespace renkei::http {
namespace {

using namespace std::chrono_literals;
using pki::Role;

class ClientTlsTest : public pki::testing::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    const pki::Issued hub = IssueOk("hub", Role::kHub);  // DNS:localhost, IP:127.0.0.1
    server_files_.cert = hub.cert_path;
    server_files_.key = hub.key_path;
    server_files_.ca = out_ + "/ca.crt";
  }

  // A TLS server answering GET /whoami with the name in the client's certificate ("" without).
  std::unique_ptr<Server> StartServer(bool require_client_cert) {
    auto context = pki::ServerContext(server_files_, require_client_cert);
    EXPECT_TRUE(context.ok()) << context.status().ToString();
    if (!context.ok()) return nullptr;
    Router router;
    router.Add("GET", "/whoami", [this](Request& request) {
      ++requests_;
      return Json(200, {{"name", request.peer ? request.peer->name : ""}});
    });
    ServerOptions options = testing::TestOptions();
    options.tls = *context;
    return testing::StartOrDie(std::move(router), options);
  }

  std::shared_ptr<boost::asio::ssl::context> ClientTls(const std::string& ca, const std::string& cert = "",
                                                       const std::string& key = "") {
    pki::TlsFiles files;
    files.cert = cert;
    files.key = key;
    files.ca = ca;
    auto context = pki::ClientContext(files);
    EXPECT_TRUE(context.ok()) << context.status().ToString();
    return context.ok() ? *context : nullptr;
  }

  pki::TlsFiles server_files_;
  std::atomic<int> requests_{0};
};

std::string HttpsUrl(const Server& server, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(server.port()) + "/whoami";
}

TEST_F(ClientTlsTest, FetchesOverHttpsAndKeepsTheConnection) {
  auto server = StartServer(false);
  ASSERT_NE(server, nullptr);
  Client client(ClientTls(out_ + "/ca.crt"));
  for (const std::string host : {"127.0.0.1", "127.0.0.1", "localhost"}) {
    auto response = client.Fetch("GET", HttpsUrl(*server, host));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"name":""})");
  }
  EXPECT_EQ(requests_, 3);
}

TEST_F(ClientTlsTest, PresentsItsClientCertificate) {
  auto server = StartServer(true);
  ASSERT_NE(server, nullptr);
  const pki::Issued doctor = IssueOk("dr-tanaka", Role::kUser, "0000001");
  Client client(ClientTls(out_ + "/ca.crt", doctor.cert_path, doctor.key_path));
  auto response = client.Fetch("GET", HttpsUrl(*server));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, R"({"name":"dr-tanaka"})");

  // Without a certificate the server that requires one refuses the handshake.
  Client anonymous(ClientTls(out_ + "/ca.crt"));
  auto refused = anonymous.Fetch("GET", HttpsUrl(*server), {}, "application/json", 5s);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
}

TEST_F(ClientTlsTest, RefusesAServerOfAnotherCaOrOfAnotherName) {
  auto server = StartServer(false);
  ASSERT_NE(server, nullptr);
  const std::string other = OtherCa();
  Client foreign(ClientTls(other + "/ca.crt"));
  auto response = foreign.Fetch("GET", HttpsUrl(*server), {}, "application/json", 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().ToString(),
            "unavailable: TLS handshake with 127.0.0.1:" + std::to_string(server->port()) +
                " failed: certificate verify failed");

  // A hub certificate of the right CA that names another host.
  pki::IssueRequest elsewhere;
  elsewhere.name = "hub-elsewhere";
  elsewhere.role = Role::kHub;
  elsewhere.dns = {"hub.elsewhere.example"};
  auto issued = pki::Issue(ca_, elsewhere, out_);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  server_files_.cert = issued->cert_path;
  server_files_.key = issued->key_path;
  auto misnamed_server = StartServer(false);
  ASSERT_NE(misnamed_server, nullptr);
  Client client(ClientTls(out_ + "/ca.crt"));
  auto misnamed = client.Fetch("GET", HttpsUrl(*misnamed_server), {}, "application/json", 5s);
  ASSERT_FALSE(misnamed.ok());
  EXPECT_NE(misnamed.status().message().find("certificate verify failed"), std::string::npos)
      << misnamed.status().ToString();
  EXPECT_EQ(requests_, 0);
}

TEST_F(ClientTlsTest, HttpsToAPlainServerOrWithoutAContextFailsPrecisely) {
  Router router;
  router.Add("GET", "/whoami", [](Request&) { return Json(200, {}); });
  auto plain = testing::StartOrDie(std::move(router));
  ASSERT_NE(plain, nullptr);
  Client client(ClientTls(out_ + "/ca.crt"));
  auto response = client.Fetch("GET", HttpsUrl(*plain), {}, "application/json", 5s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("TLS handshake with 127.0.0.1"), std::string::npos)
      << response.status().ToString();

  EXPECT_EQ(Client().Fetch("GET", HttpsUrl(*plain)).status().ToString(),
            "invalid_argument: an https:// URL needs a TLS context (the regional CA's certificate)");
  EXPECT_EQ(Client().Fetch("GET", "ftp://127.0.0.1/x").status().ToString(),
            "invalid_argument: the URL must begin with http://, https://, ws:// or wss://");
}

}  // namespace
}  // namespace renkei::http
