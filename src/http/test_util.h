// For http/'s tests only: a server on a free loopback port, and a raw TCP client over Asio
// that sends exactly the bytes it is given and reads with a deadline, for hostile input.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "http/server.h"

namespace renkei::http::testing {

using namespace std::chrono_literals;

inline ServerOptions TestOptions() {
  ServerOptions options;
  options.idle_timeout = 10s;
  return options;
}

inline std::unique_ptr<Server> StartOrDie(Router router, const ServerOptions& options = TestOptions(),
                                          std::shared_ptr<log::Logger> logger = log::Logger::Null()) {
  auto server = Server::Start(options, std::move(router), std::move(logger));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

inline std::string Url(const Server& server, std::string_view target) {
  return fmt::format("http://127.0.0.1:{}{}", server.port(), target);
}

// A JSON-lines log file that a test reads back once the server and the logger are gone.
class LogFile {
 public:
  LogFile()
      : path_((std::filesystem::temp_directory_path() / fmt::format("renkei-http-log-{}.jsonl", ::getpid())).string()) {
    std::filesystem::remove(path_);
    auto created = log::Logger::Create("debug", "json", path_);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (created.ok()) logger_ = *created;
  }
  ~LogFile() { std::filesystem::remove(path_); }

  std::shared_ptr<log::Logger> logger() const { return logger_; }

  // Drops this object's reference; the file is complete once every other owner is gone too.
  std::string Read() {
    logger_.reset();
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string path_;
  std::shared_ptr<log::Logger> logger_;
};

// A response as the raw client saw it.
struct RawResponse {
  int status = 0;
  std::string head;  // the status line and header fields, up to the empty line
  std::string body;  // Content-Length bytes
};

class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(io_) {
    boost::system::error_code ec;
    socket_.connect({boost::asio::ip::address_v4::loopback(), port}, ec);
    connected_ = !ec;
  }

  bool connected() const { return connected_; }

  // Sends all of `bytes`, or fails after `timeout` (a peer that does not read).
  bool Send(std::string_view bytes, std::chrono::milliseconds timeout = 5s) {
    bool ok = false;
    boost::asio::async_write(socket_, boost::asio::buffer(bytes.data(), bytes.size()),
                             [&](boost::system::error_code ec, size_t) { ok = !ec; });
    return Run(timeout) && ok;
  }

  void ShutdownWrite() {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  }

  // Reads one response with a Content-Length body (or none). Unavailable when the connection
  // closed first, ResourceExhausted when nothing complete came within `timeout`.
  StatusOr<RawResponse> ReadResponse(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t head_end;
    while ((head_end = received_.find("\r\n\r\n")) == std::string::npos) {
      RENKEI_RETURN_IF_ERROR(ReadSome(deadline));
    }
    RawResponse response;
    response.head = received_.substr(0, head_end + 2);
    if (response.head.size() < 12 || response.head.compare(0, 5, "HTTP/") != 0) {
      return InvalidArgument("not an HTTP response: " + response.head);
    }
    response.status = std::stoi(response.head.substr(9, 3));
    size_t length = 0;
    std::string lower = response.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(lower.substr(at + 17));
    }
    while (received_.size() < head_end + 4 + length) RENKEI_RETURN_IF_ERROR(ReadSome(deadline));
    response.body = received_.substr(head_end + 4, length);
    received_.erase(0, head_end + 4 + length);
    return response;
  }

  // True when the server closes the connection (end of stream or reset) within `timeout`
  // without sending another byte.
  bool ClosedByServer(std::chrono::milliseconds timeout = 5s) {
    const size_t before = received_.size();
    const Status status = ReadSome(std::chrono::steady_clock::now() + timeout);
    return status.code() == StatusCode::kUnavailable && received_.size() == before;
  }

  // Everything received and not yet returned by ReadResponse.
  const std::string& received() const { return received_; }

 private:
  // Runs the io_context until the started operation completes or `timeout` passes (then
  // cancels it); false on timeout.
  bool Run(std::chrono::milliseconds timeout) {
    io_.restart();
    io_.run_for(timeout);
    if (io_.stopped()) return true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    return false;
  }

  Status ReadSome(std::chrono::steady_clock::time_point deadline) {
    char buffer[16384];
    boost::system::error_code read_ec;
    size_t n = 0;
    socket_.async_read_some(boost::asio::buffer(buffer), [&](boost::system::error_code ec, size_t got) {
      read_ec = ec;
      n = got;
    });
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!Run(std::max(left, 1ms))) return ResourceExhausted("nothing within the deadline");
    if (read_ec) return Unavailable("connection closed: " + read_ec.message());
    received_.append(buffer, n);
    return Status::Ok();
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  bool connected_ = false;
  std::string received_;
};

}  // namespace renkei::http::testing
