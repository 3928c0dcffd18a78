#include "relay/peer.h"

#include <fmt/format.h>

namespace renkei::relay {
namespace {

using nlohmann::json;

// The length of the longest prefix of `text` of at most `max` bytes that ends on a UTF-8
// character boundary (a JSON string cannot hold half a character).
size_t Utf8Prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return text.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n == 0 ? max : n;
}

std::optional<uint64_t> IdOf(const json& message) {
  const auto id = message.find("id");
  if (id == message.end() || !id->is_number_unsigned() || id->get<uint64_t>() == 0) return std::nullopt;
  return id->get<uint64_t>();
}

}  // namespace

Peer::Peer(PeerOptions options, Serve serve, Run run)
    : options_(options), serve_(std::move(serve)), run_(std::move(run)) {}

uint64_t Peer::Call(std::string_view op, json args, Done done) {
  uint64_t id = 0;
  std::shared_ptr<http::Channel> channel;
  {
    std::lock_guard lock(mutex_);
    if (!channel_) {
      done(Unavailable("not connected"));
      return 0;
    }
    if (pending_.size() >= options_.max_outgoing) {
      done(ResourceExhausted(fmt::format("{} requests are waiting for answers already", pending_.size())));
      return 0;
    }
    id = next_id_++;
    pending_.emplace(id, Pending{std::move(done), {}});
    channel = channel_;
  }
  Status sent = channel->Send(json{{"t", "req"}, {"id", id}, {"op", op}, {"args", std::move(args)}}.dump());
  if (!sent.ok()) Answered(id, sent);
  return id;
}

void Peer::Cancel(uint64_t id) {
  std::shared_ptr<http::Channel> channel;
  {
    std::lock_guard lock(mutex_);
    if (!pending_.contains(id)) return;
    channel = channel_;
  }
  Answered(id, Unavailable("cancelled"));
  if (channel) channel->Send(json{{"t", "cancel"}, {"id", id}}.dump()).IgnoreError();
}

void Peer::Close(std::string_view reason) {
  std::shared_ptr<http::Channel> channel;
  {
    std::lock_guard lock(mutex_);
    channel = channel_;
  }
  if (channel) channel->Close(reason);
}

bool Peer::open() const {
  std::lock_guard lock(mutex_);
  return channel_ != nullptr;
}

size_t Peer::outgoing() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void Peer::OnOpen(std::shared_ptr<http::Channel> channel) {
  std::lock_guard lock(mutex_);
  if (!closed_) channel_ = std::move(channel);
}

void Peer::Answered(uint64_t id, StatusOr<Answer> answer) {
  Done done;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // cancelled, or answered twice
    done = std::move(it->second.done);
    pending_.erase(it);
  }
  done(std::move(answer));
}

void Peer::SendAnswer(uint64_t id, const StatusOr<Answer>& answer) {
  std::shared_ptr<http::Channel> channel;
  {
    std::lock_guard lock(mutex_);
    serving_.erase(id);
    channel = channel_;
  }
  if (!channel) return;
  if (!answer.ok()) {
    channel->Send(json{{"t", "res"}, {"id", id}, {"ok", false}, {"code", StatusCodeName(answer.status().code())},
                       {"message", answer.status().message()}}
                      .dump())
        .IgnoreError();
    return;
  }
  std::string_view body = answer->body;
  Status sent = Status::Ok();
  while (sent.ok() && body.size() > options_.part_bytes) {
    const size_t n = Utf8Prefix(body, options_.part_bytes);
    sent = channel->Send(json{{"t", "part"}, {"id", id}}.dump() + '\n' + std::string(body.substr(0, n)));
    body.remove_prefix(n);
  }
  if (sent.ok()) {
    sent = channel->Send(json{{"t", "res"}, {"id", id}, {"ok", true}, {"sig", answer->signature}}.dump() + '\n' +
                         std::string(body));
  }
  if (!sent.ok()) {
    // The asker is not reading fast enough: tell it the answer is lost rather than leave it waiting.
    channel->Send(json{{"t", "res"}, {"id", id}, {"ok", false}, {"code", StatusCodeName(sent.code())},
                       {"message", "the answer could not be sent: " + sent.message()}}
                      .dump())
        .IgnoreError();
  }
}

void Peer::OnMessage(std::string text) {
  // The header, and after the first newline (which a compact JSON text never holds) the payload.
  const size_t newline = text.find('\n');
  const std::string_view header = std::string_view(text).substr(0, newline);
  const bool has_payload = newline != std::string::npos;
  const std::string_view payload = has_payload ? std::string_view(text).substr(newline + 1) : std::string_view();
  json message = json::parse(header, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object()) return Protocol("a message that is not a JSON object");
  const auto type = message.find("t");
  const std::optional<uint64_t> id = IdOf(message);
  if (type == message.end() || !type->is_string() || !id) return Protocol("a message without a type or an ID");
  const std::string t = type->get<std::string>();

  if (t == "req") {
    const auto op = message.find("op");
    const auto args = message.find("args");
    if (op == message.end() || !op->is_string() || args == message.end() || !args->is_object()) {
      return Protocol("a request without an op or args");
    }
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    {
      std::lock_guard lock(mutex_);
      if (serving_.size() >= options_.max_serving) {
        // Answer at once without queueing: the asker retries or reports the facility busy.
        std::shared_ptr<http::Channel> channel = channel_;
        if (channel) {
          channel->Send(json{{"t", "res"}, {"id", *id}, {"ok", false}, {"code", "unavailable"},
                             {"message", fmt::format("busy: {} requests in progress", serving_.size())}}
                            .dump())
              .IgnoreError();
        }
        return;
      }
      if (!serving_.emplace(*id, cancelled).second) return Protocol("a request ID in use");
    }
    Incoming incoming{op->get<std::string>(), std::move(*args), cancelled};
    run_([self = shared_from_this(), id = *id, incoming = std::move(incoming)] {
      self->serve_(incoming, [self, id](StatusOr<Answer> answer) { self->SendAnswer(id, answer); });
    });
    return;
  }
  if (t == "cancel") {
    std::lock_guard lock(mutex_);
    if (auto it = serving_.find(*id); it != serving_.end()) *it->second = true;
    return;
  }
  if (t == "part") {
    if (!has_payload) return Protocol("a part without data");
    std::lock_guard lock(mutex_);
    auto it = pending_.find(*id);
    if (it == pending_.end()) return;  // cancelled meanwhile
    if (it->second.parts.size() + payload.size() > options_.max_body_bytes) {
      Done done = std::move(it->second.done);
      pending_.erase(it);
      // Later parts of this ID are dropped as unknown.
      run_([done = std::move(done), max = options_.max_body_bytes] {
        done(ResourceExhausted(fmt::format("the answer exceeds {} bytes", max)));
      });
      return;
    }
    it->second.parts += payload;
    return;
  }
  if (t == "res") {
    const auto ok = message.find("ok");
    if (ok == message.end() || !ok->is_boolean()) return Protocol("an answer without ok");
    std::string parts;
    {
      std::lock_guard lock(mutex_);
      auto it = pending_.find(*id);
      if (it == pending_.end()) return;
      parts = std::move(it->second.parts);
    }
    if (!ok->get<bool>()) {
      const auto code = message.find("code");
      const auto text_message = message.find("message");
      std::optional<StatusCode> c =
          code != message.end() && code->is_string() ? StatusCodeFromName(code->get<std::string>()) : std::nullopt;
      if (!c || *c == StatusCode::kOk || text_message == message.end() || !text_message->is_string()) {
        return Protocol("an error answer without a code or message");
      }
      return Answered(*id, Status(*c, text_message->get<std::string>()));
    }
    const auto sig = message.find("sig");
    if (!has_payload || (sig != message.end() && !sig->is_string())) return Protocol("an answer without a body");
    Answer answer{parts.append(payload), sig == message.end() ? "" : sig->get<std::string>()};
    if (answer.body.size() > options_.max_body_bytes) {
      return Answered(*id, ResourceExhausted(fmt::format("the answer exceeds {} bytes", options_.max_body_bytes)));
    }
    return Answered(*id, std::move(answer));
  }
  Protocol("a message of an unknown type");
}

void Peer::Protocol(std::string_view why) {
  std::shared_ptr<http::Channel> channel;
  {
    std::lock_guard lock(mutex_);
    channel = channel_;
  }
  if (channel) channel->Close(fmt::format("protocol error: {}", why));
}

void Peer::OnClose(const Status& why) {
  std::map<uint64_t, Pending> pending;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    channel_.reset();
    pending.swap(pending_);
    for (auto& [id, cancelled] : serving_) *cancelled = true;
  }
  const Status lost = Unavailable(why.ok() ? "the connection was closed" : "the connection closed: " + why.message());
  for (auto& [id, p] : pending) p.done(lost);
  if (on_close) on_close(why);
}

}  // namespace renkei::relay
