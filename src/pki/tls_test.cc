#include "pki/tls.h"

#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/identity.h"
#include "pki/revocation.h"
#include "pki/test_util.h"

namespace renkei::pki {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;

// What one connection over loopback came to.
struct Outcome {
  std::string server_error;  // "" when the server's handshake succeeded
  std::string client_error;  // "" when the client read the server's greeting
  std::string server_verify, client_verify;  // why each side refused the other's certificate
  std::optional<Identity> peer;  // who the server saw
  int version = 0;               // the protocol the server negotiated
};

// Connects a client with `client_ctx` to a server with `server_ctx`; on a successful handshake
// the server reads the client's identity and writes "ok", which the client reads. The client
// checks the server's name against `host` when not empty.
Outcome Connect(asio::ssl::context& server_ctx, asio::ssl::context& client_ctx, const std::string& host = "") {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  Outcome outcome;
  std::thread server([&] {
    asio::ssl::stream<tcp::socket> stream(io, server_ctx);
    boost::system::error_code ec;
    acceptor.accept(stream.next_layer(), ec);
    if (!ec) stream.handshake(asio::ssl::stream_base::server, ec);
    outcome.server_verify = X509_verify_cert_error_string(SSL_get_verify_result(stream.native_handle()));
    if (ec) {
      outcome.server_error = ec.message();
      return;
    }
    outcome.version = SSL_version(stream.native_handle());
    auto id = IdentityOf(SSL_get0_peer_certificate(stream.native_handle()));
    if (id.ok()) outcome.peer = *id;
    asio::write(stream, asio::buffer("ok", 2), ec);
  });
  asio::ssl::stream<tcp::socket> client(io, client_ctx);
  boost::system::error_code ec;
  client.next_layer().connect(acceptor.local_endpoint(), ec);
  if (!ec && !host.empty()) {
    Status s = SetHostName(client.native_handle(), host);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  if (!ec) client.handshake(asio::ssl::stream_base::client, ec);
  char reply[2];
  if (!ec) asio::read(client, asio::buffer(reply), ec);  // TLS 1.3: a refused client learns it here
  outcome.client_verify = X509_verify_cert_error_string(SSL_get_verify_result(client.native_handle()));
  if (ec) {
    outcome.client_error = ec.message();
    client.next_layer().close();
  }
  server.join();
  return outcome;
}

class TlsTest : public testing::CaTest {
 protected:
  void SetUp() override {
    CaTest::SetUp();
    hub_ = IssueOk("hub", Role::kHub);
    edge_ = IssueOk("edge-1111111111", Role::kEdge, "1111111111");
  }

  TlsFiles Files(const Issued& who, bool crl = true) {
    TlsFiles f{who.cert_path, who.key_path, ca_ + "/ca.crt", crl ? ca_ + "/crl.pem" : ""};
    f.crl_recheck = std::chrono::milliseconds(0);
    return f;
  }

  std::shared_ptr<asio::ssl::context> Server(bool require_client_cert = true) {
    auto ctx = ServerContext(Files(hub_), require_client_cert);
    EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
    return ctx.ok() ? *ctx : nullptr;
  }
  std::shared_ptr<asio::ssl::context> Client(const TlsFiles& files) {
    auto ctx = ClientContext(files);
    EXPECT_TRUE(ctx.ok()) << ctx.status().ToString();
    return ctx.ok() ? *ctx : nullptr;
  }

  Issued hub_, edge_;
};

TEST_F(TlsTest, ACaIssuedClientIsAcceptedOverTls13AndNamed) {
  auto server = Server();
  auto client = Client(Files(edge_));
  ASSERT_TRUE(server && client);
  Outcome o = Connect(*server, *client, "127.0.0.1");
  EXPECT_EQ(o.server_error, "");
  EXPECT_EQ(o.client_error, "");
  EXPECT_EQ(o.version, TLS1_3_VERSION);
  ASSERT_TRUE(o.peer);
  EXPECT_EQ(*o.peer, (Identity{"edge-1111111111", Role::kEdge, "1111111111", edge_.serial_hex}));
  EXPECT_EQ(Connect(*server, *client, "localhost").client_error, "");
}

TEST_F(TlsTest, AClientWithoutACertificateIsRefused) {
  auto server = Server();
  auto client = Client({"", "", ca_ + "/ca.crt", ""});
  ASSERT_TRUE(server && client);
  Outcome o = Connect(*server, *client);
  EXPECT_THAT(o.server_error, HasSubstr("peer did not return a certificate"));
  EXPECT_NE(o.client_error, "");
  // A server that asks for none lets it in.
  auto open = Server(false);
  Outcome anonymous = Connect(*open, *client);
  EXPECT_EQ(anonymous.server_error, "");
  EXPECT_FALSE(anonymous.peer);
}

TEST_F(TlsTest, AClientOfAnotherCaIsRefusedAndRefusesUs) {
  const std::string other = OtherCa();
  Issued stranger = IssueOk("edge-1111111111", Role::kEdge, "1111111111", 825, other, (root_ / "other-out").string());
  TlsFiles files{stranger.cert_path, stranger.key_path, other + "/ca.crt", ""};
  auto server = Server();
  auto client = Client({stranger.cert_path, stranger.key_path, ca_ + "/ca.crt", ""});
  ASSERT_TRUE(server && client);
  Outcome o = Connect(*server, *client);
  EXPECT_THAT(o.server_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(o.server_verify, "unable to get local issuer certificate");
  EXPECT_NE(o.client_error, "");
  // A client trusting only the other CA refuses our hub.
  auto wary = Client(files);
  Outcome w = Connect(*server, *wary);
  EXPECT_THAT(w.client_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(w.client_verify, "self-signed certificate in certificate chain") << "our hub sends its CA too";
}

TEST_F(TlsTest, AClientRevokedWhileTheServerRunsIsRefusedOnItsNextConnect) {
  auto server = Server();
  auto client = Client(Files(edge_));
  ASSERT_TRUE(server && client);
  ASSERT_EQ(Connect(*server, *client).server_error, "");
  ASSERT_TRUE(Revoke(ca_, "edge-1111111111", "stolen").ok());
  Outcome o = Connect(*server, *client);
  EXPECT_THAT(o.server_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(o.server_verify, "certificate revoked");
  EXPECT_NE(o.client_error, "");
  // Its successor gets in, with the same server context.
  Issued successor = IssueOk("edge-1111111111", Role::kEdge, "1111111111");
  auto renewed = Client(Files(successor));
  EXPECT_EQ(Connect(*server, *renewed).server_error, "");
}

TEST_F(TlsTest, AnExpiredClientIsRefused) {
  Issued expired = IssueOk("edge-2222222222", Role::kEdge, "2222222222", /*days=*/0);
  auto server = Server();
  auto client = Client(Files(expired));
  ASSERT_TRUE(server && client);
  Outcome o = Connect(*server, *client);
  EXPECT_THAT(o.server_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(o.server_verify, "certificate has expired");
}

TEST_F(TlsTest, TheClientChecksTheServersNameAndPurpose) {
  auto server = Server();
  auto client = Client(Files(edge_));
  ASSERT_TRUE(server && client);
  Outcome name = Connect(*server, *client, "hub.elsewhere.example");
  EXPECT_THAT(name.client_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(name.client_verify, "hostname mismatch");
  EXPECT_EQ(Connect(*server, *client, "10.9.9.9").client_verify, "IP address mismatch");
  // An edge's certificate (clientAuth only) cannot serve.
  auto impostor = ServerContext(Files(edge_), true);
  ASSERT_TRUE(impostor.ok());
  auto hub_client = Client(Files(hub_));
  Outcome impostor_outcome = Connect(**impostor, *hub_client);
  EXPECT_THAT(impostor_outcome.client_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(impostor_outcome.client_verify, "unsuitable certificate purpose");
  EXPECT_EQ(SetHostName(nullptr, "").code(), StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, BadFilesAreReportedByName) {
  TlsFiles f = Files(hub_);
  f.cert = out_ + "/missing.crt";
  auto missing = ServerContext(f, true);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.crt"));
  f = Files(hub_);
  f.key = edge_.key_path;
  auto mismatch = ServerContext(f, true);
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mismatch.status().message(), HasSubstr("is not the key of"));
  f = Files(hub_);
  f.ca = hub_.key_path;
  EXPECT_THAT(ServerContext(f, true).status().message(), HasSubstr("not a PEM certificate"));
  f = Files(edge_);
  f.key = "";
  EXPECT_THAT(ClientContext(f).status().message(), HasSubstr("needs its key"));
  EXPECT_THAT(ServerContext({"", "", ca_ + "/ca.crt", ""}, true).status().message(), HasSubstr("needs a certificate"));
  ASSERT_TRUE(WriteFileAtomically(ca_ + "/crl.pem", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", 0644).ok());
  EXPECT_THAT(ServerContext(Files(hub_), true).status().message(), HasSubstr("not a PEM CRL"));
}

TEST_F(TlsTest, APublicClientTrustsTheFilesGivenBesidesTheSystemsCasAndChecksTheName) {
  auto server = Server(/*require_client_cert=*/false);
  ASSERT_TRUE(server);
  // The regional CA is no public one: without it, the hub's certificate is refused.
  auto public_only = PublicClientContext({});
  ASSERT_TRUE(public_only.ok()) << public_only.status().ToString();
  Outcome refused = Connect(*server, **public_only, "127.0.0.1");
  EXPECT_THAT(refused.client_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(refused.client_verify, "self-signed certificate in certificate chain");
  // Given (a bundle of two CAs, the other region's first), it is trusted; "" entries are skipped.
  const std::string other = OtherCa();
  auto bundle = ReadFile(other + "/ca.crt", 1 << 20);
  auto ours = ReadFile(ca_ + "/ca.crt", 1 << 20);
  ASSERT_TRUE(bundle.ok() && ours.ok());
  ASSERT_TRUE(WriteFileAtomically(out_ + "/bundle.pem", *bundle + *ours, 0644).ok());
  auto trusting = PublicClientContext({"", out_ + "/bundle.pem"});
  ASSERT_TRUE(trusting.ok()) << trusting.status().ToString();
  Outcome trusted = Connect(*server, **trusting, "127.0.0.1");
  EXPECT_EQ(trusted.client_error, "");
  EXPECT_FALSE(trusted.peer) << "it presents no certificate";
  EXPECT_EQ(Connect(*server, **trusting, "webhook.example").client_verify, "hostname mismatch");
  // Files that cannot be trusted, by name.
  auto missing = PublicClientContext({out_ + "/missing.pem"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.pem"));
  auto key = PublicClientContext({hub_.key_path});
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr("holds no PEM CA certificate"));
}

TEST_F(TlsTest, RevocationListReloadsAtMostOncePerIntervalAndFailsClosed) {
  auto lazy = RevocationList::Load(ca_ + "/crl.pem", ca_ + "/ca.crt", std::chrono::hours(1));
  auto eager = RevocationList::Load(ca_ + "/crl.pem", ca_ + "/ca.crt", std::chrono::milliseconds(0));
  ASSERT_TRUE(lazy.ok() && eager.ok());
  EXPECT_FALSE((*eager)->IsRevoked(edge_.serial_hex));
  ASSERT_TRUE(Revoke(ca_, edge_.serial_hex, "").ok());
  EXPECT_FALSE((*lazy)->IsRevoked(edge_.serial_hex)) << "not re-read within the interval";
  EXPECT_TRUE((*eager)->IsRevoked(edge_.serial_hex));
  EXPECT_FALSE((*eager)->IsRevoked(hub_.serial_hex));

  // A CRL of another CA, then garbage, then nothing: everyone counts as revoked.
  const std::string other = OtherCa();
  ASSERT_TRUE(WriteFileAtomically(ca_ + "/crl.pem", Read(other + "/crl.pem"), 0644).ok());
  EXPECT_TRUE((*eager)->IsRevoked(hub_.serial_hex));
  EXPECT_THAT((*eager)->health().message(), HasSubstr("not signed by the CA"));
  ASSERT_TRUE(WriteFileAtomically(ca_ + "/crl.pem", "garbage", 0644).ok());
  EXPECT_TRUE((*eager)->IsRevoked(hub_.serial_hex));
  std::filesystem::remove(ca_ + "/crl.pem");
  EXPECT_TRUE((*eager)->IsRevoked(hub_.serial_hex));
  EXPECT_EQ((*eager)->health().code(), StatusCode::kNotFound);
  // `renkei ca crl` writes a good one again.
  ASSERT_TRUE(RefreshCrl(ca_).ok());
  EXPECT_FALSE((*eager)->IsRevoked(hub_.serial_hex));
  EXPECT_TRUE((*eager)->IsRevoked(edge_.serial_hex));
  EXPECT_TRUE((*eager)->health().ok());
  EXPECT_THAT(RevocationList::Load(other + "/crl.pem", ca_ + "/ca.crt").status().message(),
              HasSubstr("not signed by the CA"));
}

}  // namespace
}  // namespace renkei::pki
