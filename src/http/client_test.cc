#include "http/client.h"

#include <functional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "http/test_util.h"

namespace renkei::http {
namespace {

using namespace std::chrono_literals;
using testing::StartOrDie;
using testing::TestOptions;
using testing::Url;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A peer that accepts one connection and does with it what the test says: the misbehaving
// servers a client must survive.
class FakeServer {
 public:
  explicit FakeServer(std::function<void(tcp::socket&)> serve)
      : acceptor_(io_, tcp::endpoint(net::ip::address_v4::loopback(), 0)), port_(acceptor_.local_endpoint().port()) {
    thread_ = std::thread([this, serve = std::move(serve)] {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (!ec) serve(socket);
    });
  }
  // Connects once more, so that an accept still waiting (the client never came) returns.
  ~FakeServer() {
    net::io_context io;
    tcp::socket poke(io);
    boost::system::error_code ignored;
    poke.connect(tcp::endpoint(net::ip::address_v4::loopback(), port_), ignored);
    thread_.join();
  }

  std::string url() const { return fmt::format("http://127.0.0.1:{}/x", port_); }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  const uint16_t port_;
  std::thread thread_;
};

// Reads a request's header (the tests send no body).
void ReadHeader(tcp::socket& socket) {
  net::streambuf buffer;
  boost::system::error_code ec;
  net::read_until(socket, buffer, "\r\n\r\n", ec);
}

void WriteAll(tcp::socket& socket, std::string_view bytes) {
  boost::system::error_code ec;
  net::write(socket, net::buffer(bytes.data(), bytes.size()), ec);
}

// A port on which nothing listens: bound once, then closed.
uint16_t ClosedPort() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

Router WhoAmIRouter() {
  Router router;
  router.Add("GET", "/whoami", [](Request& request) {
    return Json(200, {{"request", request.id},
                      {"host", request.Header("host").value_or("")},
                      {"content-type", request.Header("content-type").value_or("")},
                      {"x-extra", request.Header("x-extra").value_or("")},
                      {"target", request.path}});
  });
  router.Add("POST", "/whoami", [](Request& request) {
    return Json(200, {{"content-type", request.Header("content-type").value_or("")}, {"body", request.body}});
  });
  return router;
}

std::string ConnectionOf(const StatusOr<ClientResponse>& response) {
  if (!response.ok()) return response.status().ToString();
  const std::string id = nlohmann::json::parse(response->body)["request"];
  return id.substr(0, id.find('-'));
}

TEST(HttpClientTest, SendsHostHeadersAndBody) {
  auto server = StartOrDie(WhoAmIRouter());
  ASSERT_TRUE(server);
  auto got = Fetch("GET", Url(*server, "/whoami?x=1#fragment"), {}, "application/json", 5s, {{"X-Extra", "e"}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const auto body = nlohmann::json::parse(got->body);
  EXPECT_EQ(body["host"], fmt::format("127.0.0.1:{}", server->port()));
  EXPECT_EQ(body["content-type"], "");  // no body, no content type
  EXPECT_EQ(body["x-extra"], "e");
  EXPECT_EQ(body["target"], "/whoami");
  auto posted = Fetch("POST", Url(*server, "/whoami"), "plain text", "text/plain; charset=utf-8");
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(nlohmann::json::parse(posted->body)["content-type"], "text/plain; charset=utf-8");
  EXPECT_EQ(nlohmann::json::parse(posted->body)["body"], "plain text");
}

TEST(HttpClientTest, AClientReusesItsConnectionAndFetchDoesNot) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 300ms;
  auto server = StartOrDie(WhoAmIRouter(), options);
  ASSERT_TRUE(server);
  Client client;
  const std::string first = ConnectionOf(client.Fetch("GET", Url(*server, "/whoami")));
  EXPECT_EQ(ConnectionOf(client.Fetch("GET", Url(*server, "/whoami"))), first);
  EXPECT_EQ(ConnectionOf(client.Fetch("GET", Url(*server, "/whoami"))), first);
  EXPECT_NE(ConnectionOf(Fetch("GET", Url(*server, "/whoami"))), first);
  // After the server closed the idle connection, the client notices and reconnects.
  std::this_thread::sleep_for(600ms);
  auto again = client.Fetch("GET", Url(*server, "/whoami"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_NE(ConnectionOf(again), first);
  // Another server gets another connection.
  auto other = StartOrDie(WhoAmIRouter());
  ASSERT_TRUE(other);
  auto elsewhere = client.Fetch("GET", Url(*other, "/whoami"));
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(ConnectionOf(elsewhere), "1");
}

TEST(HttpClientTest, AClosedPortIsUnavailableNamingTheAddress) {
  const uint16_t port = ClosedPort();
  auto response = Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/x", port), {}, "", 2s);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(response.status().message(), fmt::format("cannot connect to 127.0.0.1:{}: Connection refused", port));
}

TEST(HttpClientTest, ASilentServerTimesOut) {
  FakeServer silent([](tcp::socket& socket) {
    ReadHeader(socket);
    std::this_thread::sleep_for(1s);  // never answers
  });
  const auto start = std::chrono::steady_clock::now();
  auto response = Fetch("GET", silent.url(), {}, "", 200ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("timed out after 0.2 s"), std::string::npos)
      << response.status().message();
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 900ms);
}

TEST(HttpClientTest, BrokenServersAreUnavailableWithTheReason) {
  {
    FakeServer hangs_up([](tcp::socket& socket) { ReadHeader(socket); });
    auto response = Fetch("GET", hangs_up.url(), {}, "", 2s);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(response.status().message().find("closed the connection without a response"), std::string::npos)
        << response.status().message();
  }
  {
    FakeServer not_http([](tcp::socket& socket) {
      ReadHeader(socket);
      WriteAll(socket, "SSH-2.0-OpenSSH\r\n\r\n");
    });
    auto response = Fetch("GET", not_http.url(), {}, "", 2s);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(response.status().message().find("is not valid HTTP"), std::string::npos) << response.status().message();
  }
  {
    FakeServer cut([](tcp::socket& socket) {
      ReadHeader(socket);
      WriteAll(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
    });
    auto response = Fetch("GET", cut.url(), {}, "", 2s);
    ASSERT_FALSE(response.ok());
    EXPECT_NE(response.status().message().find("in the middle of the response"), std::string::npos)
        << response.status().message();
  }
  {
    FakeServer huge([](tcp::socket& socket) {
      ReadHeader(socket);
      WriteAll(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n");
    });
    auto response = Fetch("GET", huge.url(), {}, "", 2s);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.status().code(), StatusCode::kResourceExhausted);
  }
  {
    // Interim responses are skipped; a response without Content-Length ends at the close.
    FakeServer interim([](tcp::socket& socket) {
      ReadHeader(socket);
      WriteAll(socket, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"ok\":true}");
    });
    auto response = Fetch("GET", interim.url(), {}, "", 2s);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "{\"ok\":true}");
  }
}

TEST(HttpClientTest, BadUrlsMethodsAndHeadersAreInvalidArguments) {
  const auto error = [](std::string_view method, std::string_view url, const HeaderList& headers = {}) {
    auto response = Fetch(method, url, {}, "application/json", 1s, headers);
    return response.ok() ? "ok" : response.status().ToString();
  };
  EXPECT_EQ(error("GET", "ftp://host/x"), "invalid_argument: the URL must begin with http://, https://, ws:// or wss://");
  EXPECT_EQ(error("GET", "127.0.0.1:80/x"), "invalid_argument: the URL must begin with http://, https://, ws:// or wss://");
  EXPECT_EQ(error("GET", "HTTPS://host/x"),
            "invalid_argument: an https:// URL needs a TLS context (the regional CA's certificate)");
  EXPECT_EQ(error("GET", "http://"), "invalid_argument: bad URL: an empty host");
  EXPECT_EQ(error("GET", "http:///x"), "invalid_argument: bad URL: an empty host");
  EXPECT_EQ(error("GET", "http://host:99999/x"), "invalid_argument: bad URL: the port is over 65535");
  EXPECT_EQ(error("GET", "http://user:pw@host/x"), "invalid_argument: bad URL: the port is not a number");
  EXPECT_EQ(error("GET", "http://user@host/x"), "invalid_argument: bad URL: user info (user@host) is not supported");
  EXPECT_EQ(error("GET", "http://[::1/x"),
            "invalid_argument: bad URL: an IPv6 address opened with '[' is not closed by ']'");
  EXPECT_EQ(error("GET", "http://host/a b"),
            "invalid_argument: byte 13 of the URL is a space, control or non-ASCII byte: percent-encode it");
  EXPECT_EQ(error("GET", "http://host/山"),
            "invalid_argument: byte 12 of the URL is a space, control or non-ASCII byte: percent-encode it");
  EXPECT_EQ(error("GE T", "http://host/x"), "invalid_argument: the method is not an HTTP token");
  EXPECT_EQ(error("", "http://host/x"), "invalid_argument: the method is not an HTTP token");
  EXPECT_EQ(error("GET", "http://host/x", {{"X-A", "v\r\nX-Injected: 1"}}),
            "invalid_argument: the value of header X-A holds CR, LF or NUL");
  EXPECT_EQ(error("GET", "http://host/x", {{"X A", "v"}}), "invalid_argument: a header name is not an HTTP token");
  auto zero = Fetch("GET", "http://127.0.0.1:1/x", {}, "", 0ms);
  EXPECT_EQ(zero.status().ToString(), "invalid_argument: the timeout must be positive");
}

TEST(HttpClientTest, ResponseStatusReadsRenkeiErrorsBack) {
  for (const Status& status : {InvalidArgument("bad id"), NotFound("no patient"), AlreadyExists("dup"),
                               FailedPrecondition("linked"), Status(StatusCode::kPermissionDenied, "no consent"),
                               ResourceExhausted("too big"), Unavailable("db down"), DataLoss("corrupt"),
                               Internal("bug")}) {
    const Response response = Error(status);
    EXPECT_EQ(ResponseStatus({response.status, response.body, {}}), status) << status.ToString();
  }
  EXPECT_TRUE(ResponseStatus({200, "{}", {}}).ok());
  EXPECT_TRUE(ResponseStatus({204, "", {}}).ok());
  // Bodies of another shape: the HTTP status decides, the body is left out.
  EXPECT_EQ(ResponseStatus({502, "<html>Bad Gateway SECRET</html>", {}}), Unavailable("HTTP 502"));
  EXPECT_EQ(ResponseStatus({503, "", {}}), Unavailable("HTTP 503"));
  EXPECT_EQ(ResponseStatus({404, "not json", {}}), NotFound("HTTP 404"));
  EXPECT_EQ(ResponseStatus({409, "", {}}), FailedPrecondition("HTTP 409"));
  EXPECT_EQ(ResponseStatus({401, "", {}}), InvalidArgument("HTTP 401"));
  EXPECT_EQ(ResponseStatus({301, "", {}}), Internal("HTTP 301"));
  EXPECT_EQ(ResponseStatus({500, R"({"error":{"code":"no_such_code","message":"m"}})", {}}), Internal("HTTP 500"));
  EXPECT_EQ(ResponseStatus({500, R"({"error":{"code":"ok","message":"m"}})", {}}), Internal("HTTP 500"));
  EXPECT_EQ(ResponseStatus({400, R"({"error":{"code":7}})", {}}), InvalidArgument("HTTP 400"));
}

TEST(HttpClientTest, ServerErrorsComeBackAsTheirStatus) {
  Router router;
  router.Add("GET", "/missing", [](Request&) { return Error(NotFound("no patient with that ID")); });
  auto server = StartOrDie(std::move(router));
  ASSERT_TRUE(server);
  auto response = Fetch("GET", Url(*server, "/missing"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(ResponseStatus(*response), NotFound("no patient with that ID"));
  auto wrong_method = Fetch("DELETE", Url(*server, "/missing"));
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(ResponseStatus(*wrong_method).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace renkei::http
