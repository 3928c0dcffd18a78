// The server over real loopback sockets: well-formed requests through the Client, hostile
// and broken ones through RawClient, which sends exactly the bytes it is given.
#include "http/server.h"

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http/client.h"
#include "http/test_util.h"

namespace renkei::http {
namespace {

using namespace std::chrono_literals;
using testing::LogFile;
using testing::RawClient;
using testing::StartOrDie;
using testing::TestOptions;
using testing::Url;

// Echoes what the handler was given, so that a test can check parsing end to end.
Response Echo(Request& request) {
  nlohmann::json query = nlohmann::json::array();
  for (const auto& [name, value] : request.query) query.push_back({name, value});
  return Json(200, {{"method", request.method},
                    {"path", request.path},
                    {"params", request.params},
                    {"query", query},
                    {"route", request.route},
                    {"id", request.id},
                    {"remote", request.remote},
                    {"x-test", request.Header("x-test").value_or("")},
                    {"body_bytes", request.body.size()}});
}

Router EchoRouter() {
  Router router;
  router.Add("GET", "/v1/patients/{id}/links", Echo);
  router.Add("GET", "/v1/patients/{id}", Echo);
  router.Add("DELETE", "/v1/patients/{id}", Echo);
  router.Add("POST", "/v1/echo", Echo);
  router.Add("POST", "/v1/patients", [](Request& request) {
    StatusOr<nlohmann::json> body = JsonBody(request);
    if (!body.ok()) return Error(body.status());
    return Json(201, {{"registered", (*body)["family"]}});
  });
  return router;
}

std::string Get(std::string_view path) { return fmt::format("GET {} HTTP/1.1\r\nHost: t\r\n\r\n", path); }

nlohmann::json BodyOf(const StatusOr<ClientResponse>& response) {
  if (!response.ok()) return {{"fetch_failed", response.status().ToString()}};
  return nlohmann::json::parse(response->body, nullptr, false);
}

TEST(HttpServerTest, RoutesWithPathParamsDecodedPathAndQuery) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  auto response = Fetch("GET", Url(*server, "/v1/patients/AB%20%E5%B1%B1/links?x=1&name=%E7%94%B0+%E4%B8%AD&x=2"), {},
                        "application/json", 5s, {{"X-Test", "hello"}});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.at("content-type"), "application/json");
  const nlohmann::json body = BodyOf(response);
  EXPECT_EQ(body["method"], "GET");
  EXPECT_EQ(body["path"], "/v1/patients/AB 山/links");
  EXPECT_EQ(body["route"], "/v1/patients/{id}/links");
  EXPECT_EQ(body["params"], (nlohmann::json{{"id", "AB 山"}}));
  EXPECT_EQ(body["query"], nlohmann::json::parse(R"([["name","田 中"],["x","1"],["x","2"]])"));
  EXPECT_EQ(body["x-test"], "hello");
  EXPECT_EQ(body["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u) << body["remote"];
}

TEST(HttpServerTest, MalformedTargetsAre400AndTheConnectionServesOn) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  for (std::string_view target : {"/v1/patients/%zz", "/v1/patients/a%2Fb", "/v1/../etc/passwd",
                                  "/v1/patients/x?name=%FF", "/v1/patients/%0A"}) {
    ASSERT_TRUE(client.Send(Get(target)));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << target << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 400) << target;
    const auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["error"]["code"], "invalid_argument") << target;
  }
  ASSERT_TRUE(client.Send(Get("/v1/patients/%zz")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["message"], "malformed percent-encoding at byte 13");
  // The request was read in full, so the connection goes on.
  ASSERT_TRUE(client.Send(Get("/v1/patients/OK")));
  response = client.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(nlohmann::json::parse(response->body)["params"]["id"], "OK");
}

TEST(HttpServerTest, UnknownPathsAre404AndOtherMethods405WithAllow) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  auto missing = Fetch("GET", Url(*server, "/v2/nothing"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(BodyOf(missing)["error"]["code"], "not_found");
  auto wrong = Fetch("PUT", Url(*server, "/v1/patients/P1"), "{}");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers.at("allow"), "DELETE, GET");
}

TEST(HttpServerTest, JsonBodyErrorsAre400NamingThePosition) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  const std::string url = Url(*server, "/v1/patients");
  auto created = Fetch("POST", url, R"({"family":"山田"})");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(BodyOf(created)["registered"], "山田");

  auto bad = Fetch("POST", url, R"({"family": SECRET})");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(BodyOf(bad)["error"]["message"], "the request body is not valid JSON at line 1, column 12 (byte 12)");
  auto text = Fetch("POST", url, R"({"family":"x"})", "text/plain");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->status, 400);
  auto array = Fetch("POST", url, "[]");
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(BodyOf(array)["error"]["message"], "the request body must be a JSON object, not an array");
}

TEST(HttpServerTest, AnOversizedBodyIs413AsSoonAsContentLengthSaysSo) {
  std::atomic<int> calls{0};
  Router router;
  router.Add("POST", "/upload", [&](Request& request) {
    ++calls;
    return Json(200, {{"bytes", request.body.size()}});
  });
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  auto server = StartOrDie(std::move(router), options);
  ASSERT_TRUE(server);

  // The header announces 100 MB; only a few bytes follow, and the answer comes anyway.
  RawClient raw(server->port());
  ASSERT_TRUE(raw.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100000000\r\n\r\n{\"a\":"));
  auto response = raw.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["message"],
            "the request body exceeds the limit of 1024 bytes");
  EXPECT_NE(response->head.find("Connection: close"), std::string::npos) << response->head;
  EXPECT_TRUE(raw.ClosedByServer());

  // A chunked body is cut off once its chunks pass the limit.
  RawClient chunked(server->port());
  ASSERT_TRUE(chunked.Send("POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "300\r\n" + std::string(0x300, 'a') + "\r\n300\r\n" + std::string(0x300, 'b') + "\r\n"));
  response = chunked.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 413);

  // A client that sends the whole large body first still reads the 413, not a reset: the
  // server discards what arrives after its answer before closing.
  auto fetched = Fetch("POST", Url(*server, "/upload"), std::string(4 << 20, 'x'), "application/json", 10s);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->status, 413);
  EXPECT_EQ(ResponseStatus(*fetched).code(), StatusCode::kResourceExhausted);

  // Exactly the limit is fine.
  auto fits = Fetch("POST", Url(*server, "/upload"), std::string(1024, 'x'));
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, BodiesUpToTheLimitArriveWholeWithContentLengthOrChunked) {
  auto server = StartOrDie(EchoRouter());  // the default limit, 1 MiB
  ASSERT_TRUE(server);
  auto full = Fetch("POST", Url(*server, "/v1/echo"), std::string(1 << 20, 'f'), "text/plain", 10s);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->status, 200);
  EXPECT_EQ(BodyOf(full)["body_bytes"], 1 << 20);
  RawClient chunked(server->port());
  std::string request = "POST /v1/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 100; ++i) request += "1000\r\n" + std::string(0x1000, 'c') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(chunked.Send(request));
  auto response = chunked.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(nlohmann::json::parse(response->body)["body_bytes"], 100 * 0x1000);
}

TEST(HttpServerTest, AnOversizedHeaderIs431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 4096;
  auto server = StartOrDie(EchoRouter(), options);
  ASSERT_TRUE(server);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("GET /v1/patients/P1 HTTP/1.1\r\nHost: t\r\nX-Pad: " + std::string(8000, 'p') + "\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["code"], "resource_exhausted");
  EXPECT_TRUE(client.ClosedByServer());

  // A request line alone over the limit, without its end ever arriving.
  RawClient long_line(server->port());
  ASSERT_TRUE(long_line.Send("GET /" + std::string(10000, 'a')));
  response = long_line.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 431);

  // Just under the limit passes.
  RawClient fits(server->port());
  ASSERT_TRUE(fits.Send("GET /v1/patients/P1 HTTP/1.1\r\nHost: t\r\nX-Pad: " + std::string(3000, 'p') + "\r\n\r\n"));
  response = fits.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, GarbageIs400AndClosesTheConnection) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  for (std::string garbage : {std::string("HELLO\r\n\r\n"), std::string("GET /x HTTP/2.0\r\n\r\n"),
                              std::string("GET /x HTTP/1.2\r\n\r\n"),
                              std::string("GET /x\r\n\r\n"), std::string("G\x01T / HTTP/1.1\r\n\r\n"),
                              std::string("\x16\x03\x01\x02\x00\xfc\r\n\r\n", 10),
                              std::string("GET /x HTTP/1.1\r\nBad Header: x\r\n\r\n"),
                              std::string("POST /v1/echo HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
                              std::string("POST /v1/echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
                              // Both framings at once, in either order: the request-smuggling shape.
                              std::string("POST /v1/echo HTTP/1.1\r\nContent-Length: 5\r\n"
                                          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                              std::string("POST /v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                                          "Content-Length: 5\r\n\r\n0\r\n\r\n"),
                              std::string("POST /v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    RawClient client(server->port());
    ASSERT_TRUE(client.Send(garbage));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << ::testing::PrintToString(garbage) << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 400) << ::testing::PrintToString(garbage);
    EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["code"], "invalid_argument");
    EXPECT_TRUE(client.ClosedByServer()) << ::testing::PrintToString(garbage);
  }
  // The server is none the worse.
  auto after = Fetch("GET", Url(*server, "/v1/patients/P1"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
}

TEST(HttpServerTest, ABodyShorterThanContentLengthThenCloseDropsTheConnectionUnanswered) {
  std::atomic<int> calls{0};
  Router router;
  router.Add("POST", "/v1/echo", [&](Request& request) {
    ++calls;
    return Echo(request);
  });
  auto server = StartOrDie(std::move(router));
  ASSERT_TRUE(server);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789"));
  client.ShutdownWrite();
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_EQ(client.received(), "");
  // A header cut short the same way.
  RawClient cut(server->port());
  ASSERT_TRUE(cut.Send("POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Len"));
  cut.ShutdownWrite();
  EXPECT_TRUE(cut.ClosedByServer());
  EXPECT_EQ(cut.received(), "");
  auto after = Fetch("POST", Url(*server, "/v1/echo"), "{}");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, IdleAndSlowClientsAreClosedAfterTheTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 300ms;
  auto server = StartOrDie(EchoRouter(), options);
  ASSERT_TRUE(server);

  // Connects and sends nothing.
  RawClient idle(server->port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.ClosedByServer(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);

  // Keep-alive: after one response, the same timeout.
  RawClient kept(server->port());
  ASSERT_TRUE(kept.Send(Get("/v1/patients/P1")));
  ASSERT_TRUE(kept.ReadResponse().ok());
  start = std::chrono::steady_clock::now();
  EXPECT_TRUE(kept.ClosedByServer(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);

  // Slowloris: a byte every 50 ms keeps the socket busy but the header never completes in time.
  RawClient slow(server->port());
  const std::string request = "GET /v1/patients/P1 HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(100, 's');
  start = std::chrono::steady_clock::now();
  bool closed = false;
  for (const char c : request) {
    if (!slow.Send(std::string_view(&c, 1)) || slow.ClosedByServer(50ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed || slow.ClosedByServer(2s));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
  EXPECT_EQ(slow.received(), "");  // closed without an answer

  // A body that trickles in is cut the same way.
  RawClient slow_body(server->port());
  ASSERT_TRUE(slow_body.Send("POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"));
  start = std::chrono::steady_clock::now();
  closed = false;
  for (int i = 0; i < 100 && !closed; ++i) closed = !slow_body.Send("x") || slow_body.ClosedByServer(50ms);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnectionPipelinedOrNot) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  RawClient client(server->port());
  std::string connection;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Get(fmt::format("/v1/patients/S{}", i))));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    const auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["params"]["id"], fmt::format("S{}", i));
    const std::string id = body["id"];
    EXPECT_EQ(id, fmt::format("{}{}", id.substr(0, id.find('-') + 1), i + 1));  // request i+1 of one connection
    if (i == 0) connection = id.substr(0, id.find('-'));
    EXPECT_EQ(id.substr(0, id.find('-')), connection);
  }
  // Three requests in one write, one with a body: three answers in order.
  ASSERT_TRUE(client.Send(Get("/v1/patients/P1") +
                          "POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd" +
                          Get("/v1/patients/P3")));
  for (const auto& [route, bytes] : std::vector<std::pair<std::string, int>>{
           {"/v1/patients/{id}", 0}, {"/v1/echo", 4}, {"/v1/patients/{id}", 0}}) {
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    const auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["route"], route);
    EXPECT_EQ(body["body_bytes"], bytes);
  }
  // "Connection: close" is honoured, and so is HTTP/1.0 without keep-alive.
  ASSERT_TRUE(client.Send("GET /v1/patients/P1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  auto last = client.ReadResponse();
  ASSERT_TRUE(last.ok());
  EXPECT_NE(last->head.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(client.ClosedByServer());
  RawClient old(server->port());
  ASSERT_TRUE(old.Send("GET /v1/patients/P1 HTTP/1.0\r\n\r\n"));
  auto old_response = old.ReadResponse();
  ASSERT_TRUE(old_response.ok());
  EXPECT_EQ(old_response->head.rfind("HTTP/1.0 200", 0), 0u) << old_response->head;
  EXPECT_TRUE(old.ClosedByServer());
}

TEST(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  auto server = StartOrDie(EchoRouter());
  ASSERT_TRUE(server);
  RawClient client(server->port());
  ASSERT_TRUE(client.Send("POST /v1/echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status().ToString();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("abc"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(nlohmann::json::parse(response->body)["body_bytes"], 3);
}

TEST(HttpServerTest, ConcurrentClientsEachGetTheirOwnAnswers) {
  constexpr int kClients = 8;
  constexpr int kRequestsEach = 25;
  std::atomic<int> in_handler{0};
  std::atomic<int> max_in_handler{0};
  Router router;
  router.Add("POST", "/v1/echo/{client}/{n}", [&](Request& request) {
    const int now = ++in_handler;
    int seen = max_in_handler;
    while (now > seen && !max_in_handler.compare_exchange_weak(seen, now)) {}
    std::this_thread::sleep_for(1ms);
    --in_handler;
    return Json(200, {{"client", request.params.at("client")}, {"n", request.params.at("n")}, {"body", request.body}});
  });
  ServerOptions options = TestOptions();
  options.handler_threads = 3;
  auto server = StartOrDie(std::move(router), options);
  ASSERT_TRUE(server);
  std::vector<std::future<std::string>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::async(std::launch::async, [&, c]() -> std::string {
      Client client;
      for (int n = 0; n < kRequestsEach; ++n) {
        const std::string body = fmt::format("body-{}-{}", c, n);
        auto response = client.Fetch("POST", Url(*server, fmt::format("/v1/echo/{}/{}", c, n)), body, "text/plain", 5s);
        if (!response.ok()) return response.status().ToString();
        const auto json = nlohmann::json::parse(response->body);
        if (json["client"] != std::to_string(c) || json["n"] != std::to_string(n) || json["body"] != body) {
          return "mixed up: " + response->body;
        }
      }
      return "ok";
    }));
  }
  for (auto& client : clients) EXPECT_EQ(client.get(), "ok");
  // Three handler threads: handlers did overlap, and never more than three at once.
  EXPECT_EQ(max_in_handler.load(), 3);
}

TEST(HttpServerTest, AThrowingHandlerIs500AndIsLoggedWithoutTheRequest) {
  LogFile log;
  Router router(log.logger());
  router.Add("POST", "/v1/patients/{id}", [](Request&) -> Response { throw std::runtime_error("constraint failed"); });
  auto server = StartOrDie(std::move(router), TestOptions(), log.logger());
  ASSERT_TRUE(server);
  auto response = Fetch("POST", Url(*server, "/v1/patients/SECRET-ID?q=SECRET-QUERY"), R"({"name":"SECRET-NAME"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(BodyOf(response)["error"]["message"], "the server failed to handle the request");
  server.reset();
  const std::string text = log.Read();
  EXPECT_NE(text.find(R"("event":"http.handler_failed")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("error":"constraint failed")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("route":"/v1/patients/{id}")"), std::string::npos) << text;
  EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
}

TEST(HttpServerTest, AnInvalidResponseFromAHandlerBecomes500) {
  Router router;
  router.Add("GET", "/inject", [](Request&) {
    Response response = Json(200, {});
    response.headers.emplace_back("Location", "/x\r\nSet-Cookie: evil=1");
    return response;
  });
  router.Add("GET", "/length", [](Request&) {
    Response response = Json(200, {});
    response.headers.emplace_back("content-length", "1");
    return response;
  });
  router.Add("GET", "/status", [](Request&) { return Json(1000, {}); });
  router.Add("GET", "/nocontent", [](Request&) { return Json(204, {{"a", 1}}); });
  auto server = StartOrDie(std::move(router));
  ASSERT_TRUE(server);
  for (std::string_view path : {"/inject", "/length", "/status", "/nocontent"}) {
    auto response = Fetch("GET", Url(*server, path));
    ASSERT_TRUE(response.ok()) << path;
    EXPECT_EQ(response->status, 500) << path;
    EXPECT_EQ(response->headers.count("set-cookie"), 0u);
  }
}

TEST(HttpServerTest, StopClosesIdleConnectionsAndLetsARunningHandlerAnswer) {
  std::promise<void> entered;
  Router router = EchoRouter();
  router.Add("GET", "/slow", [&](Request&) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    return Json(200, {{"done", true}});
  });
  auto server = StartOrDie(std::move(router));
  ASSERT_TRUE(server);
  const uint16_t port = server->port();
  RawClient idle(port);
  RawClient half(port);
  ASSERT_TRUE(half.Send("POST /v1/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\nabc"));
  RawClient kept(port);
  ASSERT_TRUE(kept.Send(Get("/v1/patients/P1")));
  ASSERT_TRUE(kept.ReadResponse().ok());
  auto slow = std::async(std::launch::async, [&] { return Fetch("GET", Url(*server, "/slow"), {}, "", 5s); });
  entered.get_future().wait();

  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  auto answered = slow.get();
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(answered->headers.at("connection"), "close");
  EXPECT_TRUE(idle.ClosedByServer(1s));
  EXPECT_TRUE(half.ClosedByServer(1s));
  EXPECT_TRUE(kept.ClosedByServer(1s));
  auto refused = Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/patients/P1", port), {}, "", 2s);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  server->Stop();  // idempotent
}

TEST(HttpServerTest, ConnectionsOverTheLimitAreClosedOnAcceptAndLogged) {
  LogFile log;
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  auto server = StartOrDie(EchoRouter(), options, log.logger());
  ASSERT_TRUE(server);
  RawClient first(server->port());
  RawClient second(server->port());
  for (RawClient* client : {&first, &second}) {  // both accepted and served
    ASSERT_TRUE(client->Send(Get("/v1/patients/P1")));
    ASSERT_TRUE(client->ReadResponse().ok());
  }
  RawClient third(server->port());
  ASSERT_TRUE(third.connected());  // the kernel completes the handshake; the server then closes
  EXPECT_TRUE(third.ClosedByServer());
  ASSERT_TRUE(first.Send(Get("/v1/patients/P2")));
  EXPECT_TRUE(first.ReadResponse().ok());
  server.reset();
  const std::string text = log.Read();
  EXPECT_NE(text.find(R"("event":"http.connection_refused")"), std::string::npos) << text;
}

TEST(HttpServerTest, LogsRequestsByRoutePatternNeverPathQueryHeadersOrBody) {
  LogFile log;
  ServerOptions options = TestOptions();
  options.max_body_bytes = 64;
  auto server = StartOrDie(EchoRouter(), options, log.logger());
  ASSERT_TRUE(server);
  auto ok = Fetch("GET", Url(*server, "/v1/patients/SECRET-ID?name=SECRET-NAME"), {}, "", 5s,
                  {{"X-Test", "SECRET-HEADER"}});
  ASSERT_TRUE(ok.ok());
  auto big = Fetch("POST", Url(*server, "/v1/echo?SECRET-Q"), "SECRET-BODY" + std::string(100, 'x'));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 413);
  auto bad = Fetch("GET", Url(*server, "/v1/patients/SECRET%zz"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  RawClient garbage(server->port());
  ASSERT_TRUE(garbage.Send("SECRET GARBAGE\r\n\r\n"));
  ASSERT_TRUE(garbage.ReadResponse().ok());
  server.reset();
  const std::string text = log.Read();
  for (std::string_view expected : {R"("event":"http.listening")", R"("event":"http.request")",
                                    R"("route":"/v1/patients/{id}")", R"("status":200)", R"("status":413)",
                                    R"("event":"http.bad_request")", R"("duration_ms":)", R"("remote":"127.0.0.1:)",
                                    R"("event":"http.connection_closed")", R"("event":"http.stopped")"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " missing from:\n" << text;
  }
  EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
}

TEST(HttpServerTest, StartRefusesBadOptionsAndABusyPort) {
  const auto start = [](const ServerOptions& options) {
    return Server::Start(options, Router(), log::Logger::Null()).status();
  };
  ServerOptions options = TestOptions();
  options.listen = "localhost:0";
  EXPECT_EQ(start(options).ToString(), "invalid_argument: http server: 'localhost' is not an IP address");
  options.listen = "127.0.0.1";
  EXPECT_EQ(start(options).ToString(), "invalid_argument: http server: listen address '127.0.0.1' has no port");
  options.listen = "127.0.0.1:http";
  EXPECT_EQ(start(options).code(), StatusCode::kInvalidArgument);
  options = TestOptions();
  options.threads = 0;
  EXPECT_EQ(start(options).code(), StatusCode::kInvalidArgument);
  options = TestOptions();
  options.handler_threads = 0;
  EXPECT_EQ(start(options).ToString(), "invalid_argument: http server: threads and handler_threads must be at least 1");
  options = TestOptions();
  options.max_body_bytes = 0;
  EXPECT_EQ(start(options).code(), StatusCode::kInvalidArgument);
  options = TestOptions();
  options.idle_timeout = 0ms;
  EXPECT_EQ(start(options).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Server::Start(TestOptions(), Router(), nullptr).status().code(), StatusCode::kInvalidArgument);

  auto first = StartOrDie(Router());
  ASSERT_TRUE(first);
  options = TestOptions();
  options.listen = fmt::format("127.0.0.1:{}", first->port());
  const Status busy = start(options);
  EXPECT_EQ(busy.code(), StatusCode::kUnavailable);
  EXPECT_NE(busy.message().find(fmt::format("cannot listen on 127.0.0.1:{}", first->port())), std::string::npos)
      << busy.message();
}

TEST(HttpServerTest, ListensOnIpv6Loopback) {
  ServerOptions options = TestOptions();
  options.listen = "[::1]:0";
  auto server = Server::Start(options, EchoRouter(), log::Logger::Null());
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << server.status().ToString();
  auto response = Fetch("GET", fmt::format("http://[::1]:{}/v1/patients/V6", (*server)->port()));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(BodyOf(response)["remote"].get<std::string>().rfind("[::1]:", 0), 0u);
}

}  // namespace
}  // namespace renkei::http
