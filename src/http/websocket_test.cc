#include "http/websocket.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "http/test_util.h"

namespace renkei::http {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;
using testing::StartOrDie;

// A handler that records what happens to its channel, for a test thread to wait on.
class Recorder : public ChannelHandler {
 public:
  explicit Recorder(bool echo = false) : echo_(echo) {}

  void OnOpen(std::shared_ptr<Channel> channel) override {
    std::lock_guard lock(mutex_);
    channel_ = std::move(channel);
    changed_.notify_all();
  }
  void OnMessage(std::string message) override {
    std::lock_guard lock(mutex_);
    if (echo_) {
      EXPECT_TRUE(channel_->Send("echo:" + message).ok());
    }
    messages_.push_back(std::move(message));
    changed_.notify_all();
  }
  void OnClose(const Status& why) override {
    std::lock_guard lock(mutex_);
    closed_ = why;
    ++close_calls_;
    changed_.notify_all();
  }

  std::shared_ptr<Channel> WaitOpen(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return channel_ != nullptr; });
    return channel_;
  }
  bool WaitMessages(size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return messages_.size() >= n; });
  }
  std::optional<Status> WaitClosed(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return closed_.has_value(); });
    return closed_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int close_calls() {
    std::lock_guard lock(mutex_);
    return close_calls_;
  }

 private:
  const bool echo_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<Channel> channel_;
  std::vector<std::string> messages_;
  std::optional<Status> closed_;
  int close_calls_ = 0;
};

// An io_context on a thread of its own, for the client end.
class ClientThread {
 public:
  ClientThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~ClientThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

  // Connects and waits for the outcome: OK once open, or the failure.
  Status Connect(std::string_view url, std::shared_ptr<Recorder> handler, WebSocketClientOptions options = {}) {
    auto failed = std::make_shared<std::promise<Status>>();
    auto outcome = failed->get_future();
    ConnectWebSocket(io_, url, options, handler, [failed](Status s) { failed->set_value(s); });
    for (int i = 0; i < 500; ++i) {
      if (handler->WaitOpen(5ms)) return Status::Ok();
      if (outcome.wait_for(5ms) == std::future_status::ready) return outcome.get();
    }
    return Internal("neither open nor failed");
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

struct EchoServer {
  explicit EchoServer(ServerOptions options = testing::TestOptions()) {
    Router router;
    router.AddWebSocket("/v1/echo/{name}", [this](Request& request) -> StatusOr<std::shared_ptr<ChannelHandler>> {
      if (request.Header("authorization") != "Bearer good") return PermissionDenied("that token may not connect");
      last_name = request.params["name"];
      auto recorder = std::make_shared<Recorder>(/*echo=*/true);
      accepted.push_back(recorder);
      return std::shared_ptr<ChannelHandler>(recorder);
    });
    router.Add("GET", "/v1/plain", [](Request&) { return Json(200, {{"ok", true}}); });
    // Answers once the first channel has received a message: a handler that waits on another
    // connection, as the hub's chart waits on the edges' channels.
    router.Add("GET", "/v1/wait", [this](Request&) {
      ++waiting;
      const bool got = accepted.at(0)->WaitMessages(1);
      return Json(got ? 200 : 504, {{"got", got}});
    });
    server = StartOrDie(std::move(router), options);
  }
  std::string Url(std::string_view path) const { return fmt::format("ws://127.0.0.1:{}{}", server->port(), path); }

  std::string last_name;
  std::atomic<int> waiting{0};  // handlers of /v1/wait that have started
  std::vector<std::shared_ptr<Recorder>> accepted;  // written by the server's thread before OnOpen
  std::unique_ptr<Server> server;
};

WebSocketClientOptions WithToken(std::string token) {
  WebSocketClientOptions options;
  options.headers = {{"Authorization", "Bearer " + token}};
  return options;
}

TEST(WebSocketTest, MessagesFlowBothWaysInOrderAndACloseReachesBothEnds) {
  EchoServer echo;
  ClientThread client;
  auto mine = std::make_shared<Recorder>();
  ASSERT_TRUE(client.Connect(echo.Url("/v1/echo/edge-1"), mine, WithToken("good")).ok());
  EXPECT_EQ(echo.last_name, "edge-1");
  auto channel = mine->WaitOpen();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(channel->Send(fmt::format("m{}", i)).ok());
  const std::string big(3 << 20, 'x');  // several frames' worth
  ASSERT_TRUE(channel->Send(big).ok());
  constexpr char kNotUtf8[] = "\xff\x00\xfe not UTF-8";  // binary frames carry any bytes
  const std::string bytes(kNotUtf8, sizeof kNotUtf8 - 1);
  ASSERT_TRUE(channel->Send(bytes).ok());
  ASSERT_TRUE(mine->WaitMessages(102));
  const auto got = mine->messages();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got[i], fmt::format("echo:m{}", i));
  EXPECT_EQ(got[100], "echo:" + big);
  EXPECT_EQ(got[101], "echo:" + bytes);

  channel->Close("done");
  ASSERT_TRUE(mine->WaitClosed().has_value());
  EXPECT_TRUE(mine->WaitClosed()->ok());
  const auto server_side = echo.accepted.at(0)->WaitClosed();
  ASSERT_TRUE(server_side.has_value());
  EXPECT_EQ(server_side->ToString(), "unavailable: the peer closed the connection (code 1000: done)");
  EXPECT_EQ(channel->Send("late").code(), StatusCode::kUnavailable);
  EXPECT_EQ(mine->close_calls(), 1);
}

TEST(WebSocketTest, HandlersWaitingForAChannelsMessageDoNotStopItBeingRead) {
  ServerOptions options = testing::TestOptions();
  options.threads = 1;  // the one I/O thread must stay free to read the channel
  options.handler_threads = 4;
  EchoServer echo(options);
  ClientThread client;
  auto mine = std::make_shared<Recorder>();
  ASSERT_TRUE(client.Connect(echo.Url("/v1/echo/edge-1"), mine, WithToken("good")).ok());
  std::vector<std::future<StatusOr<ClientResponse>>> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.push_back(std::async(std::launch::async, [&] {
      return Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/wait", echo.server->port()), {}, "", 5s);
    }));
  }
  for (int i = 0; i < 500 && echo.waiting < 4; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(echo.waiting.load(), 4) << "every handler thread is waiting";
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(mine->WaitOpen()->Send("here").ok());
  for (auto& waiter : waiters) {
    auto response = waiter.get();
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200) << response->body;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 2s);
}

TEST(WebSocketTest, ARefusedUpgradeIsAnHttpErrorWithTheServersReason) {
  EchoServer echo;
  ClientThread client;
  Status refused = client.Connect(echo.Url("/v1/echo/x"), std::make_shared<Recorder>(), WithToken("bad"));
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("refused the connection: HTTP 403: that token may not connect"), std::string::npos)
      << refused.ToString();
  Status nowhere = client.Connect(echo.Url("/v1/elsewhere"), std::make_shared<Recorder>(), WithToken("good"));
  EXPECT_NE(nowhere.message().find("HTTP 404"), std::string::npos) << nowhere.ToString();
  Status plain = client.Connect(echo.Url("/v1/plain"), std::make_shared<Recorder>(), WithToken("good"));
  EXPECT_NE(plain.message().find("HTTP 404: no WebSocket endpoint"), std::string::npos) << plain.ToString();
  EXPECT_EQ(client.Connect("http://127.0.0.1:1/x", std::make_shared<Recorder>()).ToString(),
            "invalid_argument: the URL must begin with ws:// or wss://");
  EXPECT_EQ(client.Connect("wss://127.0.0.1:1/x", std::make_shared<Recorder>()).ToString(),
            "invalid_argument: a wss:// URL needs a TLS context (certificates)");
  Status closed_port = client.Connect("ws://127.0.0.1:1/x", std::make_shared<Recorder>());
  EXPECT_NE(closed_port.message().find("cannot connect to 127.0.0.1:1"), std::string::npos) << closed_port.ToString();
}

TEST(WebSocketTest, APlainGetToAWebSocketEndpointIs426) {
  EchoServer echo;
  auto response = Fetch("GET", fmt::format("http://127.0.0.1:{}/v1/echo/x", echo.server->port()));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 426);
  EXPECT_EQ(response->headers["upgrade"], "websocket");
}

TEST(WebSocketTest, AnOversizedMessageClosesTheChannel) {
  ServerOptions options = testing::TestOptions();
  options.channel.max_message_bytes = 1000;
  EchoServer echo(options);
  ClientThread client;
  auto mine = std::make_shared<Recorder>();
  ASSERT_TRUE(client.Connect(echo.Url("/v1/echo/x"), mine, WithToken("good")).ok());
  ASSERT_TRUE(mine->WaitOpen()->Send(std::string(1001, 'y')).ok());
  const auto server_side = echo.accepted.at(0)->WaitClosed();
  ASSERT_TRUE(server_side.has_value());
  EXPECT_EQ(server_side->ToString(), "resource_exhausted: a message exceeded 1000 bytes");
  const auto client_side = mine->WaitClosed();
  ASSERT_TRUE(client_side.has_value());
  EXPECT_EQ(client_side->code(), StatusCode::kUnavailable);
  EXPECT_TRUE(echo.accepted.at(0)->messages().empty());
}

TEST(WebSocketTest, TheSendQueueIsBounded) {
  EchoServer echo;
  ClientThread client;
  WebSocketClientOptions options = WithToken("good");
  options.channel.max_queued_bytes = 10'000;
  auto mine = std::make_shared<Recorder>();
  ASSERT_TRUE(client.Connect(echo.Url("/v1/echo/x"), mine, options).ok());
  auto channel = mine->WaitOpen();
  const Status too_big = channel->Send(std::string(10'001, 'z'));
  EXPECT_EQ(too_big.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(channel->Send(std::string(10'000, 'z')).ok());
  // It arrives whole (and the test ends only once the echo is back: the echoing side's Send
  // would fail on a channel the test had already closed).
  ASSERT_TRUE(mine->WaitMessages(1));
  EXPECT_EQ(mine->messages()[0], "echo:" + std::string(10'000, 'z'));
}

TEST(WebSocketTest, ASilentPeerIsDroppedAfterTheIdleTimeout) {
  ServerOptions options = testing::TestOptions();
  options.channel.idle_timeout = 400ms;
  EchoServer echo(options);
  // A raw client that upgrades, then never reads or answers a ping.
  RawClient raw(echo.server->port());
  ASSERT_TRUE(raw.Send("GET /v1/echo/x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                       "Authorization: Bearer good\r\n\r\n"));
  const auto start = std::chrono::steady_clock::now();
  auto upgraded = raw.ReadResponse();
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().ToString();
  EXPECT_EQ(upgraded->status, 101);
  ASSERT_EQ(echo.accepted.size(), 1u);
  const auto why = echo.accepted[0]->WaitClosed(3s);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->ToString(), "unavailable: the peer stopped answering (heartbeat timeout)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(WebSocketTest, StoppingTheServerClosesOpenChannels) {
  EchoServer echo;
  ClientThread client;
  auto mine = std::make_shared<Recorder>();
  ASSERT_TRUE(client.Connect(echo.Url("/v1/echo/x"), mine, WithToken("good")).ok());
  echo.server->Stop();
  const auto why = mine->WaitClosed();
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->ToString(), "unavailable: the peer closed the connection (code 1000: server stopping)");
}

}  // namespace
}  // namespace renkei::http
