#include "mllp/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hl7/ack.h"
#include "hl7/message.h"
#include "mllp/frame.h"

namespace renkei::mllp {
namespace {

using namespace std::chrono_literals;

// How long a test client waits for the server before it fails the test (instead of hanging it).
constexpr auto kClientTimeout = 5s;

// A blocking MLLP sender over plain POSIX sockets, so that the server is tested against a TCP
// stack other than its own Asio code.
class TestClient {
 public:
  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{std::chrono::duration_cast<std::chrono::seconds>(kClientTimeout).count(), 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~TestClient() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool SendMessage(std::string_view message) { return Send(Encode(message)); }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // The next message the server sends; kUnavailable when the connection closed first,
  // kResourceExhausted when nothing came within kClientTimeout, the decoder's error for a bad frame.
  StatusOr<std::string> ReadAck() {
    for (;;) {
      if (auto event = decoder_.Next()) {
        if (!event->status.ok()) return event->status;
        return std::move(event->bytes);
      }
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) return Unavailable("connection closed by the server");
      if (n < 0) return ResourceExhausted(fmt::format("no reply within the client timeout: {}", std::strerror(errno)));
      decoder_.Feed(std::string_view(buffer, static_cast<size_t>(n)));
    }
  }

  // True when the server closes the connection without sending anything more.
  bool ClosedByServer() {
    auto next = ReadAck();
    return !next.ok() && next.status().code() == StatusCode::kUnavailable;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  FrameDecoder decoder_{1 << 20};
};

std::string TestMessage(std::string_view control_id, std::string_view body = "PID|1||9999013^^^^PI||SECRET^NAME\r") {
  return fmt::format("MSH|^~\\&|HIS|HOSP|RENKEI|EDGE|20260401||ADT^A08^ADT_A01|{}|P|2.5\r{}", control_id, body);
}

// The ACK an ideal store would send: AA for what parses, AR for what does not.
std::string AcceptIfItParses(std::string_view bytes) {
  static std::atomic<int> next_id{0};
  hl7::AckDetails details{fmt::format("ACK{}", ++next_id), std::chrono::system_clock::now(), {}};
  auto message = hl7::Parse(std::string(bytes));
  if (!message.ok()) {
    details.errors.push_back({hl7::ErrorCode::kDataTypeError, {}, message.status().message()});
    return hl7::BuildRejectWithoutHeader(details);
  }
  return hl7::BuildAck(*message, hl7::AckCode::kAccept, details);
}

// MSA-1 and MSA-2 of an ACK, "AA|id", or the parse error.
std::string Msa(const StatusOr<std::string>& ack) {
  if (!ack.ok()) return ack.status().ToString();
  auto message = hl7::Parse(*ack);
  if (!message.ok()) return message.status().ToString();
  return message->Get("MSA", 1) + "|" + message->Get("MSA", 2);
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.idle_timeout = 10s;
  options.read_timeout = 10s;
  options.write_timeout = 10s;
  return options;
}

std::unique_ptr<MllpServer> StartOrDie(const ServerOptions& options, Handler handler,
                                       std::shared_ptr<log::Logger> logger = log::Logger::Null()) {
  auto server = MllpServer::Start(options, std::move(handler), std::move(logger));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

TEST(MllpServerTest, AcknowledgesAMessageWithWhatTheHandlerReturns) {
  std::vector<std::string> received;  // written by the Handler thread, read after Stop()
  auto server = StartOrDie(TestOptions(), [&](std::string_view bytes) {
    received.emplace_back(bytes);
    return AcceptIfItParses(bytes);
  });
  ASSERT_TRUE(server);
  EXPECT_NE(server->port(), 0);
  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.SendMessage(TestMessage("MSG001")));
  // A sender may half-close after its last message: it still gets the ACK, then the close.
  client.ShutdownWrite();
  auto ack = client.ReadAck();
  EXPECT_EQ(Msa(ack), "AA|MSG001");
  EXPECT_TRUE(client.ClosedByServer());
  server->Stop();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], TestMessage("MSG001"));
}

TEST(MllpServerTest, EightConcurrentSendersGetEveryMessageAckedOnceAndTheHandlerNeverOverlaps) {
  constexpr int kSenders = 8;
  constexpr int kMessagesEach = 50;
  std::atomic<int> in_handler{0};
  std::atomic<int> max_in_handler{0};
  std::mutex mutex;
  std::multiset<std::string> handled;  // control IDs, guarded by mutex
  ServerOptions options = TestOptions();
  options.io_threads = 2;
  auto server = StartOrDie(options, [&](std::string_view bytes) {
    const int now = ++in_handler;
    int seen = max_in_handler;
    while (now > seen && !max_in_handler.compare_exchange_weak(seen, now)) {}
    std::string ack = AcceptIfItParses(bytes);
    std::this_thread::yield();  // widen the window in which an overlapping call would be seen
    {
      std::lock_guard lock(mutex);
      handled.insert(hl7::Parse(std::string(bytes))->Get("MSH", 10));
    }
    --in_handler;
    return ack;
  });
  ASSERT_TRUE(server);

  std::vector<std::future<std::string>> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.push_back(std::async(std::launch::async, [port = server->port(), s]() -> std::string {
      TestClient client(port);
      if (!client.connected()) return "cannot connect";
      for (int i = 0; i < kMessagesEach; ++i) {
        const std::string id = fmt::format("S{}-{}", s, i);
        if (!client.SendMessage(TestMessage(id))) return "send failed at " + id;
        const std::string msa = Msa(client.ReadAck());
        if (msa != "AA|" + id) return fmt::format("{}: got {}", id, msa);
      }
      client.ShutdownWrite();
      if (!client.ClosedByServer()) return "an extra reply or no close after the last ACK";
      return "ok";
    }));
  }
  for (auto& sender : senders) EXPECT_EQ(sender.get(), "ok");
  server->Stop();
  EXPECT_EQ(max_in_handler.load(), 1);
  EXPECT_EQ(handled.size(), static_cast<size_t>(kSenders * kMessagesEach));
  for (int s = 0; s < kSenders; ++s) {
    for (int i = 0; i < kMessagesEach; ++i) EXPECT_EQ(handled.count(fmt::format("S{}-{}", s, i)), 1u);
  }
}

TEST(MllpServerTest, AnswersFramesSentTogetherInOrderAndSkipsBytesOutsideFrames) {
  auto server = StartOrDie(TestOptions(), AcceptIfItParses);
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send("junk before" + Encode(TestMessage("P1")) + "\r\n" + Encode(TestMessage("P2")) +
                          "\x1c" + Encode(TestMessage("P3"))));
  EXPECT_EQ(Msa(client.ReadAck()), "AA|P1");
  EXPECT_EQ(Msa(client.ReadAck()), "AA|P2");
  EXPECT_EQ(Msa(client.ReadAck()), "AA|P3");
  // What does not parse is the handler's to reject: AR without MSA-2.
  ASSERT_TRUE(client.SendMessage("not HL7 at all"));
  EXPECT_EQ(Msa(client.ReadAck()), "AR|");
}

TEST(MllpServerTest, OversizedFrameIsRejectedWithItsControlIdAndServingGoesOn) {
  std::atomic<int> calls{0};
  ServerOptions options = TestOptions();
  options.max_frame_bytes = 1024;
  auto server = StartOrDie(options, [&](std::string_view bytes) {
    ++calls;
    return AcceptIfItParses(bytes);
  });
  ASSERT_TRUE(server);
  TestClient big(server->port());
  TestClient other(server->port());
  const std::string huge = TestMessage("HUGE1", "OBX|1|TX|||" + std::string(200'000, 'x') + "\r");
  ASSERT_TRUE(big.SendMessage(huge));
  auto reject = big.ReadAck();
  ASSERT_TRUE(reject.ok()) << reject.status().ToString();
  EXPECT_EQ(Msa(reject), "AR|HUGE1");
  EXPECT_NE(reject->find("exceeds the receiver's limit of 1024 bytes"), std::string::npos);
  // The same connection goes on with the next frame, and so does everyone else.
  ASSERT_TRUE(big.SendMessage(TestMessage("SMALL2")));
  EXPECT_EQ(Msa(big.ReadAck()), "AA|SMALL2");
  ASSERT_TRUE(other.SendMessage(TestMessage("OTHER3")));
  EXPECT_EQ(Msa(other.ReadAck()), "AA|OTHER3");
  // A head without a complete MSH line gets an AR without MSA-2.
  ASSERT_TRUE(big.SendMessage("MSH|^~\\&|" + std::string(5000, 'y')));
  EXPECT_EQ(Msa(big.ReadAck()), "AR|");
  server->Stop();
  EXPECT_EQ(calls.load(), 2);
}

TEST(MllpServerTest, IdleAndStalledConnectionsAreClosedByTheirTimeouts) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 200ms;
  auto server = StartOrDie(options, AcceptIfItParses);
  ASSERT_TRUE(server);
  TestClient idle(server->port());
  ASSERT_TRUE(idle.SendMessage(TestMessage("BEFORE-IDLE")));
  EXPECT_EQ(Msa(idle.ReadAck()), "AA|BEFORE-IDLE");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.ClosedByServer());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  server->Stop();

  // A frame that has begun must complete within read_timeout, however long idle_timeout is.
  options.idle_timeout = 10s;
  options.read_timeout = 200ms;
  server = StartOrDie(options, AcceptIfItParses);
  ASSERT_TRUE(server);
  TestClient stalled(server->port());
  ASSERT_TRUE(stalled.Send("\x0b" + TestMessage("STALLED").substr(0, 30)));
  EXPECT_TRUE(stalled.ClosedByServer());  // within the client's 5 s, long before the 10 s idle timeout
}

TEST(MllpServerTest, ConnectionsOverTheLimitAreClosedAndTheOthersServed) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  auto server = StartOrDie(options, AcceptIfItParses);
  ASSERT_TRUE(server);
  TestClient first(server->port());
  TestClient second(server->port());
  // Once both have been answered, both are counted.
  ASSERT_TRUE(first.SendMessage(TestMessage("F1")));
  EXPECT_EQ(Msa(first.ReadAck()), "AA|F1");
  ASSERT_TRUE(second.SendMessage(TestMessage("S1")));
  EXPECT_EQ(Msa(second.ReadAck()), "AA|S1");
  TestClient third(server->port());
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server then closes it
  EXPECT_TRUE(third.ClosedByServer());
  ASSERT_TRUE(first.SendMessage(TestMessage("F2")));
  EXPECT_EQ(Msa(first.ReadAck()), "AA|F2");
}

TEST(MllpServerTest, AHandlerThatDeclinesOrThrowsClosesTheConnectionWithoutAnAck) {
  auto server = StartOrDie(TestOptions(), [](std::string_view bytes) -> std::string {
    auto message = hl7::Parse(std::string(bytes));
    const std::string id = message.ok() ? message->Get("MSH", 10) : "";
    if (id == "DECLINE") return "";
    if (id == "THROW") throw std::runtime_error("store exploded");
    return AcceptIfItParses(bytes);
  });
  ASSERT_TRUE(server);
  for (std::string_view id : {"DECLINE", "THROW"}) {
    TestClient client(server->port());
    ASSERT_TRUE(client.SendMessage(TestMessage(id)));
    EXPECT_TRUE(client.ClosedByServer()) << id;
  }
  TestClient after(server->port());
  ASSERT_TRUE(after.SendMessage(TestMessage("FINE")));
  EXPECT_EQ(Msa(after.ReadAck()), "AA|FINE");
}

TEST(MllpServerTest, StopWaitsForTheRunningHandlerAndClosesEveryConnection) {
  std::promise<void> slow_entered;
  std::promise<void> release_slow;
  std::shared_future<void> released = release_slow.get_future().share();
  std::atomic<int> calls{0};
  auto server = StartOrDie(TestOptions(), [&](std::string_view bytes) {
    ++calls;
    if (bytes.find("|SLOW|") != std::string_view::npos) {
      slow_entered.set_value();
      released.wait();
    }
    return AcceptIfItParses(bytes);
  });
  ASSERT_TRUE(server);
  const uint16_t port = server->port();
  TestClient idle(port);
  ASSERT_TRUE(idle.SendMessage(TestMessage("IDLE1")));  // answered, so surely accepted
  EXPECT_EQ(Msa(idle.ReadAck()), "AA|IDLE1");
  TestClient slow(port);
  ASSERT_TRUE(slow.SendMessage(TestMessage("SLOW")));
  slow_entered.get_future().wait();
  TestClient queued(port);  // its message waits behind SLOW for the Handler thread
  ASSERT_TRUE(queued.SendMessage(TestMessage("QUEUED")));
  TestClient mid_frame(port);
  ASSERT_TRUE(mid_frame.Send("\x0bMSH|^~\\&|HIS"));

  std::thread stopper([&] { server->Stop(); });
  EXPECT_TRUE(idle.ClosedByServer());  // Stop() is under way
  release_slow.set_value();
  // The running Handler call finishes and its ACK is delivered before the close.
  EXPECT_EQ(Msa(slow.ReadAck()), "AA|SLOW");
  EXPECT_TRUE(slow.ClosedByServer());
  EXPECT_TRUE(queued.ClosedByServer());  // dropped unacknowledged: the sender will resend
  EXPECT_TRUE(mid_frame.ClosedByServer());
  stopper.join();
  EXPECT_EQ(calls.load(), 2);  // IDLE1 and SLOW; QUEUED never reached the store
  TestClient late(port);
  EXPECT_FALSE(late.connected());
  server->Stop();  // idempotent
}

TEST(MllpServerTest, StartRejectsBadOptionsAndAPortInUse) {
  ServerOptions bad = TestOptions();
  bad.host = "localhost";
  EXPECT_EQ(MllpServer::Start(bad, AcceptIfItParses, log::Logger::Null()).status().code(),
            StatusCode::kInvalidArgument);
  bad = TestOptions();
  bad.max_frame_bytes = 0;
  EXPECT_EQ(MllpServer::Start(bad, AcceptIfItParses, log::Logger::Null()).status().code(),
            StatusCode::kInvalidArgument);
  bad = TestOptions();
  bad.read_timeout = 0ms;
  EXPECT_EQ(MllpServer::Start(bad, AcceptIfItParses, log::Logger::Null()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MllpServer::Start(TestOptions(), nullptr, log::Logger::Null()).status().code(),
            StatusCode::kInvalidArgument);

  auto first = StartOrDie(TestOptions(), AcceptIfItParses);
  ASSERT_TRUE(first);
  ServerOptions same = TestOptions();
  same.port = first->port();
  auto second = MllpServer::Start(same, AcceptIfItParses, log::Logger::Null());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(fmt::format("127.0.0.1:{}", first->port())), std::string::npos)
      << second.status().message();
}

TEST(MllpServerTest, LogsConnectionsAndErrorsButNeverMessageContent) {
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("renkei-mllp-log-{}.jsonl", ::getpid())).string();
  std::filesystem::remove(path);
  auto created = log::Logger::Create("debug", "json", path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::shared_ptr<log::Logger> logger = *created;
  ServerOptions options = TestOptions();
  options.max_frame_bytes = 256;
  auto server = StartOrDie(options, AcceptIfItParses, logger);
  ASSERT_TRUE(server);
  {
    TestClient client(server->port());
    ASSERT_TRUE(client.Send("SECRET-JUNK" + Encode(TestMessage("LOG1"))));
    EXPECT_EQ(Msa(client.ReadAck()), "AA|LOG1");
    ASSERT_TRUE(client.SendMessage(TestMessage("LOG2", "OBX|1|TX|||SECRET " + std::string(500, 's') + "\r")));
    EXPECT_EQ(Msa(client.ReadAck()), "AR|LOG2");
    ASSERT_TRUE(client.Send("\x0bMSH|SECRET-TRUNCATED"));
    client.ShutdownWrite();
    EXPECT_TRUE(client.ClosedByServer());  // the server has read the end of the stream
  }
  server.reset();  // stops; the last owner of the logger then closes (flushes) the file
  logger.reset();
  created = Status(StatusCode::kInternal, "released");
  std::ifstream in(path);
  std::stringstream log_text;
  log_text << in.rdbuf();
  const std::string text = log_text.str();
  std::filesystem::remove(path);
  for (std::string_view event : {"mllp.listening", "mllp.connection_opened", "mllp.frame_error",
                                 "mllp.connection_closed", "mllp.stopped"}) {
    EXPECT_NE(text.find(event), std::string::npos) << event << " missing from:\n" << text;
  }
  EXPECT_NE(text.find("bytes 0-10: 11 bytes outside a frame skipped"), std::string::npos) << text;
  EXPECT_NE(text.find("before its end block"), std::string::npos) << text;  // the truncated frame
  for (std::string_view secret : {"SECRET", "9999013", "LOG1", "LOG2", "HOSP"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into:\n" << text;
  }
}

}  // namespace
}  // namespace renkei::mllp
