#include "edge/hub_link.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "edge/answers.h"
#include "http/websocket.h"
#include "relay/peer.h"
#include "store/store.h"

namespace renkei::edge {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

constexpr char kRegisteredThrough[] = "hub.registered_through";
constexpr char kPushedThrough[] = "hub.pushed_through";
constexpr size_t kRegisterBatch = 200;
constexpr int64_t kPushBatch = 500;
constexpr std::chrono::seconds kRegisterTimeout{60};

// Store connections for the workers, one each; Acquire waits for a free one.
class StorePool {
 public:
  void Add(std::unique_ptr<store::Store> s) { free_.push_back(std::move(s)); }
  std::unique_ptr<store::Store> Acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !free_.empty(); });
    auto s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  void Release(std::unique_ptr<store::Store> s) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(s));
    available_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<store::Store>> free_;
};

json DemographicsJson(const ssmix2::Demographics& d) {
  json j = json::object();
  const std::pair<const char*, const std::string*> fields[] = {
      {"family_kanji", &d.kanji_family}, {"given_kanji", &d.kanji_given}, {"family_kana", &d.kana_family},
      {"given_kana", &d.kana_given},     {"birth_date", &d.birth_date},   {"sex", &d.sex},
      {"postal_code", &d.postal_code},   {"address", &d.address},         {"phone", &d.phone}};
  for (const auto& [name, value] : fields) {
    if (!value->empty()) j[name] = *value;
  }
  return j;
}

}  // namespace

struct HubLink::Impl : std::enable_shared_from_this<HubLink::Impl> {
  Impl(HubLinkOptions o, std::shared_ptr<log::Logger> l)
      : options(std::move(o)),
        logger(std::move(l)),
        work(asio::make_work_guard(io)),
        timer(io),
        poll(io),
        workers(static_cast<size_t>(std::max(1, options.workers))),
        random(std::random_device{}()),
        answers(options.facility, options.signer, options.rescan, logger) {}

  // Forwards the channel's events to the peer and tells the link when it is open.
  class Handler : public http::ChannelHandler {
   public:
    Handler(std::shared_ptr<Impl> impl, std::shared_ptr<relay::Peer> peer) : impl_(std::move(impl)), peer_(std::move(peer)) {}
    void OnOpen(std::shared_ptr<http::Channel> channel) override {
      peer_->OnOpen(std::move(channel));
      impl_->Connected(peer_);
    }
    void OnMessage(std::string message) override { peer_->OnMessage(std::move(message)); }
    void OnClose(const Status& why) override { peer_->OnClose(why); }

   private:
    std::shared_ptr<Impl> impl_;
    std::shared_ptr<relay::Peer> peer_;
  };

  void Connect() {
    if (stopping) return;
    auto self = shared_from_this();
    auto peer = std::make_shared<relay::Peer>(
        relay::PeerOptions{},
        [self](const relay::Incoming& request, relay::Done reply) { self->Serve(request, std::move(reply)); },
        [self](std::function<void()> w) { asio::post(self->workers, std::move(w)); });
    peer->on_close = [self](const Status& why) {
      asio::post(self->io, [self, why] {
        {
          std::lock_guard lock(self->mutex);
          self->state.connected = false;
          self->state.last_error = why.ok() ? "closed" : why.message();
          self->peer.reset();
        }
        self->introduced = false;
        self->logger->Warn("hub_link.disconnected", {{"reason", why.ok() ? "closed" : why.message()}});
        self->Retry();
      });
    };
    http::WebSocketClientOptions ws;
    ws.channel.idle_timeout = options.idle_timeout;
    ws.channel.max_message_bytes = 16 << 20;
    ws.tls = options.tls;
    if (!options.token.empty()) ws.headers = {{"Authorization", "Bearer " + options.token}};
    http::ConnectWebSocket(io, options.url, ws, std::make_shared<Handler>(self, peer), [self](Status failed) {
      {
        std::lock_guard lock(self->mutex);
        self->state.last_error = failed.message();
      }
      self->logger->Warn("hub_link.connect_failed", {{"error", failed.message()}});
      if (failed.code() == StatusCode::kInvalidArgument) return;  // a configuration error: retrying will not help
      self->Retry();
    });
  }

  // Schedules the next attempt: full jitter over an exponentially growing window.
  void Retry() {
    if (stopping) return;
    const auto window = std::min<int64_t>(options.backoff_max.count(), options.backoff_min.count() << std::min(attempts, 20));
    ++attempts;
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(window / 2, window)(random));
    timer.expires_after(delay);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Connect();
    });
  }

  void Connected(std::shared_ptr<relay::Peer> p) {
    {
      std::lock_guard lock(mutex);
      peer = p;
      state.connected = true;
      ++state.connections;
      state.last_error.clear();
    }
    attempts = 0;
    logger->Info("hub_link.connected", {{"url", options.url}});
    asio::post(workers, [self = shared_from_this(), p] { self->Introduce(p); });
  }

  // Waits for the answer to one request of ours.
  static StatusOr<relay::Answer> Ask(relay::Peer& p, std::string_view op, json args, std::chrono::seconds timeout) {
    auto promise = std::make_shared<std::promise<StatusOr<relay::Answer>>>();
    auto future = promise->get_future();
    const uint64_t id = p.Call(op, std::move(args), [promise](StatusOr<relay::Answer> a) { promise->set_value(std::move(a)); });
    if (future.wait_for(timeout) != std::future_status::ready) {
      p.Cancel(id);
      return Unavailable(fmt::format("no answer to {} within {} s", op, timeout.count()));
    }
    return future.get();
  }

  // Hello, then the registrations the hub has not acknowledged yet.
  void Introduce(const std::shared_ptr<relay::Peer>& p) {
    json hello = {{"version", options.version}};
    if (options.signer) hello["certificate"] = options.signer->certificate_pem();
    if (auto answer = Ask(*p, "hello", hello, kRegisterTimeout); !answer.ok()) {
      logger->Warn("hub_link.hello_failed", {{"error", answer.status().message()}});
      return;
    }
    introduced = true;
    Sync(p);
  }

  // Registers new patients, then pushes new changes: one sync at a time (the poll and a
  // write-back may both ask).
  void Sync(const std::shared_ptr<relay::Peer>& p) {
    if (syncing.exchange(true)) {
      again = true;
      return;
    }
    do {
      again = false;
      auto s = stores.Acquire();
      Status registered = Register(*p, *s);
      if (!registered.ok()) logger->Warn("hub_link.register_failed", {{"error", registered.message()}});
      Status pushed = registered.ok() ? Push(*p, *s) : Status::Ok();
      stores.Release(std::move(s));
      if (!pushed.ok()) logger->Warn("hub_link.push_failed", {{"error", pushed.message()}});
    } while (again.exchange(false));
    syncing = false;
  }

  // Asks for a sync on a worker when connected and introduced.
  void RequestSync() {
    std::shared_ptr<relay::Peer> p;
    {
      std::lock_guard lock(mutex);
      p = peer;
    }
    if (!p || !introduced) return;
    asio::post(workers, [self = shared_from_this(), p] { self->Sync(p); });
  }

  void Poll() {
    poll.expires_after(options.poll_interval);
    poll.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping) return;
      if (!self->syncing) self->RequestSync();
      self->Poll();
    });
  }

  // The changes after the acknowledged cursor, in batches, each acknowledged before the next.
  Status Push(relay::Peer& p, store::Store& s) {
    RENKEI_ASSIGN_OR_RETURN(std::string through_text, s.GetSetting(kPushedThrough));
    if (through_text.empty()) {
      // The first connection: what the repository held before is its history, not changes to
      // announce; changes from now on are.
      RENKEI_ASSIGN_OR_RETURN(const int64_t last, s.LastChange());
      through_text = std::to_string(last);
      RENKEI_RETURN_IF_ERROR(s.PutSetting(kPushedThrough, through_text));
    }
    int64_t through = 0;
    std::from_chars(through_text.data(), through_text.data() + through_text.size(), through);
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(auto changes, s.ChangesSince(through, kPushBatch));
      if (changes.empty()) return Status::Ok();
      json list = json::array();
      for (const store::ChangeRow& c : changes) {
        json types = json::array();
        if (c.kind == store::ChangeKind::kPatient) {
          types.push_back("Patient");
        } else {
          RENKEI_ASSIGN_OR_RETURN(auto entities, s.ListPatientEntities(c.patient_id, c.record_id));
          std::set<std::string> seen;
          for (const store::EntityRow& e : entities) {
            std::string type = e.reference.substr(0, e.reference.find('/'));
            if (seen.insert(type).second) types.push_back(std::move(type));
          }
        }
        list.push_back({{"seq", c.seq}, {"kind", store::ChangeKindName(c.kind)}, {"patient_id", c.patient_id},
                        {"record_id", c.record_id}, {"data_type", c.data_type}, {"event_type", c.event_type},
                        {"resource_types", std::move(types)}, {"at", c.at}});
      }
      RENKEI_ASSIGN_OR_RETURN(relay::Answer answer, Ask(p, "changes", {{"changes", std::move(list)}}, kRegisterTimeout));
      const json taken = json::parse(answer.body, nullptr, false);
      if (!taken.is_object() || !taken.contains("through") || !taken["through"].is_number_integer() ||
          taken["through"].get<int64_t>() != changes.back().seq) {
        return DataLoss("the hub's answer to changes does not acknowledge them");
      }
      RENKEI_RETURN_IF_ERROR(s.PutSetting(kPushedThrough, std::to_string(changes.back().seq)));
      through = changes.back().seq;
      std::lock_guard lock(mutex);
      state.pushed += static_cast<int64_t>(changes.size());
      state.pushed_through = through;
    }
  }

  Status Register(relay::Peer& p, store::Store& s) {
    RENKEI_ASSIGN_OR_RETURN(std::string through_text, s.GetSetting(kRegisteredThrough));
    int64_t through = 0;
    std::from_chars(through_text.data(), through_text.data() + through_text.size(), through);
    for (;;) {
      RENKEI_ASSIGN_OR_RETURN(auto changes, s.ChangesSince(through, 2000));
      if (changes.empty()) return Status::Ok();
      std::set<std::string> ids;
      int64_t last = through;
      for (const store::ChangeRow& c : changes) {
        if (ids.size() == kRegisterBatch && !ids.contains(c.patient_id)) break;
        ids.insert(c.patient_id);
        last = c.seq;
      }
      json registrations = json::array();
      for (const std::string& id : ids) {
        RENKEI_ASSIGN_OR_RETURN(auto patient, s.GetPatient(id));
        if (!patient) continue;  // no ADT-00 yet: nothing to link by; registered when demographics arrive
        registrations.push_back(
            {{"local_id", id}, {"consent", options.consent}, {"demographics", DemographicsJson(patient->demographics)}});
      }
      if (!registrations.empty()) {
        const size_t n = registrations.size();
        RENKEI_ASSIGN_OR_RETURN(relay::Answer answer, Ask(p, "register", {{"registrations", std::move(registrations)}}, kRegisterTimeout));
        std::lock_guard lock(mutex);
        state.registered += static_cast<int64_t>(n);
      }
      RENKEI_RETURN_IF_ERROR(s.PutSetting(kRegisteredThrough, std::to_string(last)));
      through = last;
    }
  }

  void Serve(const relay::Incoming& request, relay::Done reply) {
    auto s = stores.Acquire();
    StatusOr<relay::Answer> answer = answers.Answer(*s, request.op, request.args, *request.cancelled);
    stores.Release(std::move(s));
    if (answer.ok()) {
      std::lock_guard lock(mutex);
      ++state.answered;
    }
    reply(std::move(answer));
    // A write-back is a change the other permitted services are to hear of (seed 000 S1).
    if (request.op == "write") RequestSync();
  }

  const HubLinkOptions options;
  const std::shared_ptr<log::Logger> logger;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer timer;
  asio::steady_timer poll;  // the sync poll; io thread only
  asio::thread_pool workers;
  StorePool stores;
  std::mt19937_64 random;  // jitter; used on the io thread only
  const Answers answers;
  int attempts = 0;        // io thread only
  std::atomic<bool> stopping{false};
  std::atomic<bool> introduced{false};  // hello answered on the current connection
  std::atomic<bool> syncing{false};     // a Sync runs
  std::atomic<bool> again{false};       // a Sync was asked for while one ran
  std::thread thread;

  mutable std::mutex mutex;
  HubLinkState state;                  // guarded by mutex
  std::shared_ptr<relay::Peer> peer;   // guarded by mutex
};

StatusOr<std::unique_ptr<HubLink>> HubLink::Start(HubLinkOptions options, std::shared_ptr<log::Logger> logger) {
  if (options.facility.empty()) return InvalidArgument("the edge's facility code is not set");
  if (options.url.empty()) return InvalidArgument("no hub URL");
  auto impl = std::make_shared<Impl>(std::move(options), std::move(logger));
  for (int i = 0; i < std::max(1, impl->options.workers); ++i) {
    auto s = store::Store::Open(impl->options.store_url);
    if (!s.ok()) return s.status();
    impl->stores.Add(std::move(s).value());
  }
  asio::post(impl->io, [impl] {
    impl->Connect();
    impl->Poll();
  });
  impl->thread = std::thread([impl = impl.get()] { impl->io.run(); });
  return std::unique_ptr<HubLink>(new HubLink(impl));
}

HubLink::~HubLink() { Stop(); }

void HubLink::Stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_] {
    impl->timer.cancel();
    impl->poll.cancel();
    std::shared_ptr<relay::Peer> p;
    {
      std::lock_guard lock(impl->mutex);
      p = impl->peer;
    }
    if (p) p->Close("edge stopping");
    impl->work.reset();
  });
  impl_->thread.join();
  impl_->workers.join();
}

HubLinkState HubLink::state() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->state;
}

}  // namespace renkei::edge
