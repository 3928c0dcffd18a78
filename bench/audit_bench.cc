// The audit trail's figures (bench/audit.sh builds and runs it), on SQLite in a temporary folder
// unless --store-dir says where:
//
//   1. append throughput with durability (synchronous=FULL: each commit on disk before Append
//      returns), with 1 and with N appending threads — the hub appends from its request handlers;
//   2. verify time for a log of --verify-entries (default 1,000,000) entries under signed heads,
//      with the CA's signatures checked, and the per-entry rate; --ten-million measures a log of
//      10,000,000 too (about 6 GB of disk while it runs).
//
//   audit_bench [--threads 1,16,64] [--append-seconds 5] [--verify-entries N] [--ten-million]
//               [--store-dir DIR [--keep]] [--postgres URL]
//
// --keep leaves the verified log (DIR/verify.db, the largest) and the CA (DIR/pki/ca/ca.crt),
// e.g. for `renkei audit verify --store sqlite:DIR/verify.db --ca DIR/pki/ca/ca.crt`.
// --postgres URL also measures appends into that PostgreSQL database (its tables must not exist yet).
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "audit/log.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "base/file.h"
#include "pki/ca.h"
#include "pki/signature.h"

namespace {

using namespace renkei;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// A chart view like the hub's: one doctor of one of 50 facilities, one of 100,000 patients.
audit::Event Access(uint64_t i) {
  audit::Event e;
  e.time_ms = 1'780'000'000'000 + static_cast<int64_t>(i);
  e.action = i % 20 == 0 ? "entity.read" : "chart.view";
  const uint64_t facility = 1'000'000'000 + (i * 7919) % 50;
  e.who = {fmt::format("doctor-{}", (i * 31) % 2000), "user", std::to_string(facility)};
  e.patient = fmt::format("RK{:011}", (i * 104729) % 100'000);
  e.data.types = {"lab_result", "prescription", "document"};
  e.data.facilities = {std::to_string(facility), "1000000007", "1000000011"};
  e.purpose = "TREAT";
  e.reason = "consent links the viewer's facility";
  e.basis = fmt::format("Consent/{}", (i * 13) % 100'000);
  e.remote = "192.0.2.10";
  e.request_id = fmt::format("{:016x}", i * 0x9e3779b97f4a7c15ULL);
  return e;
}

struct Pki {
  std::string ca_pem;
  pki::Signer signer;
};

StatusOr<Pki> MakePki(const fs::path& dir) {
  RENKEI_RETURN_IF_ERROR(pki::InitCa((dir / "ca").string(), "Bench region", 30));
  RENKEI_RETURN_IF_ERROR(pki::Issue((dir / "ca").string(), {"hub", pki::Role::kHub, "", {}, {}, 30}, (dir / "out").string()).status());
  RENKEI_ASSIGN_OR_RETURN(auto signer,
                          pki::Signer::Load((dir / "out/hub.key").string(), (dir / "out/hub.crt").string()));
  RENKEI_ASSIGN_OR_RETURN(std::string ca, ReadFile((dir / "ca/ca.crt").string(), 1 << 20));
  return Pki{std::move(ca), std::move(signer)};
}

// CPU seconds this process has used (user + system), to tell the bench's own cost from waiting
// on a disk or on other work of the machine.
double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

// The disk's cost of one durable commit: milliseconds to write 4 KiB and fdatasync, median of 50.
double FsyncMs(const fs::path& dir) {
  const std::string path = (dir / "fsync-probe").string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  std::vector<double> ms;
  const std::string block(4096, 'x');
  for (int i = 0; i < 50; ++i) {
    const auto start = Clock::now();
    if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0) break;
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  ::close(fd);
  fs::remove(path);
  if (ms.empty()) return -1;
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void Die(const Status& s) {
  std::cerr << "audit_bench: " << s.ToString() << "\n";
  std::exit(1);
}

void RemoveSqlite(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
}

// Appends from `threads` threads for `seconds`, each Append waiting for its commit.
void MeasureAppend(const std::string& url, const Pki& pki, int threads, double seconds, const std::string& label) {
  audit::LogOptions options;
  options.signer = pki.signer;
  options.durable = true;
  auto log = audit::Log::Open(url, options);
  if (!log.ok()) Die(log.status());
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> next{0};
  const double cpu_before = CpuSeconds();
  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (!stop.load(std::memory_order_relaxed)) {
        const auto before = Clock::now();
        auto seq = (*log)->Append(Access(next.fetch_add(1)));
        if (!seq.ok()) Die(seq.status());
        latencies[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  const int64_t appended = (*log)->size();
  if (Status s = (*log)->Close(); !s.ok()) Die(s);
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  const double cpu = CpuSeconds() - cpu_before;
  fmt::print("append {:<10} {:>3} threads: {:>8.0f} events/s durable  (Append p50 {:.2f} ms, p99 {:.2f} ms; {} events; "
             "{:.1f} µs CPU each)\n",
             label, threads, appended / took, pct(0.5), pct(0.99), appended, cpu * 1e6 / std::max<int64_t>(appended, 1));
}

// Fills a log with `entries` entries quickly (not durable: only the result is measured), heads
// signed every 10,000 entries as in production.
void Fill(const std::string& url, const Pki& pki, int64_t entries) {
  audit::LogOptions options;
  options.signer = pki.signer;
  options.durable = false;
  options.max_batch = 8192;
  options.max_pending = 65536;
  auto log = audit::Log::Open(url, options);
  if (!log.ok()) Die(log.status());
  const auto start = Clock::now();
  const double cpu_before = CpuSeconds();
  constexpr int kThreads = 2;
  constexpr int64_t kChunk = 2000;
  std::atomic<int64_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&] {
      std::vector<audit::Event> events;
      while (true) {
        const int64_t from = next.fetch_add(kChunk);
        if (from >= entries) return;
        events.clear();
        for (int64_t i = from; i < std::min(entries, from + kChunk); ++i) events.push_back(Access(i));
        if (auto s = (*log)->AppendAll(events); !s.ok()) Die(s.status());
      }
    });
  }
  for (auto& w : workers) w.join();
  if (Status s = (*log)->Close(); !s.ok()) Die(s);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print("filled {} entries in {:.1f} s ({:.0f}/s, not durable; {:.1f} µs CPU each)\n", entries, took,
             entries / took, (CpuSeconds() - cpu_before) * 1e6 / entries);
}

void MeasureVerify(const std::string& url, const std::string& path, const Pki& pki, int64_t entries) {
  auto db = audit::OpenForReading(url);
  if (!db.ok()) Die(db.status());
  audit::VerifyOptions options;
  options.ca_pem = pki.ca_pem;
  const auto start = Clock::now();
  const double cpu_before = CpuSeconds();
  auto report = audit::Verify(**db, options);
  if (!report.ok()) Die(report.status());
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  if (!report->intact || report->entries != entries) Die(Internal("verify: " + audit::Describe(*report)));
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  const double cpu = CpuSeconds() - cpu_before;
  fmt::print("verify {} entries: {:.1f} s ({:.2f} µs/entry, {:.0f} entries/s; {:.1f} s CPU; {} heads, signatures "
             "checked); {:.0f} bytes/entry on disk\n",
             entries, took, took * 1e6 / entries, entries / took, cpu, report->heads,
             ec ? 0.0 : double(bytes) / entries);
  if (entries < 10'000'000) {
    fmt::print("  → 10,000,000 entries at this rate: about {:.0f} s\n", took / entries * 10'000'000);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The audit trail's figures: append throughput with durability, and verify time"};
  std::vector<int> threads{1, 16, 64};
  double append_seconds = 5;
  int64_t verify_entries = 1'000'000;
  bool ten_million = false, keep = false;
  std::string store_dir, postgres;
  app.add_option("--threads", threads, "appending threads to measure with (default 1,16,64)")->delimiter(',');
  app.add_option("--append-seconds", append_seconds, "how long each append measurement runs (default 5)");
  app.add_option("--verify-entries", verify_entries, "entries of the log verified (default 1000000)");
  app.add_flag("--ten-million", ten_million, "also fill and verify a log of 10,000,000 entries");
  app.add_option("--store-dir", store_dir, "where the SQLite files go (default a temporary folder)");
  app.add_option("--postgres", postgres, "also measure appends into this PostgreSQL database");
  app.add_flag("--keep", keep, "with --store-dir: keep the verified log and the CA there");
  CLI11_PARSE(app, argc, argv);

  const fs::path dir = store_dir.empty() ? fs::temp_directory_path() / fmt::format("renkei-audit-bench-{}", ::getpid())
                                         : fs::path(store_dir);
  fs::create_directories(dir);
  auto pki = MakePki(dir / "pki");
  if (!pki.ok()) Die(pki.status());

  fmt::print("== append, durable (SQLite WAL, synchronous=FULL: every commit flushed to disk), {} hardware threads; "
             "this disk's write+fdatasync of 4 KiB: {:.2f} ms (median)\n",
             std::thread::hardware_concurrency(), FsyncMs(dir));
  for (int n : threads) {
    const std::string path = (dir / "append.db").string();
    RemoveSqlite(path);
    MeasureAppend("sqlite:" + path, *pki, n, append_seconds, "sqlite");
    RemoveSqlite(path);
  }
  if (!postgres.empty()) {
    for (int n : threads) MeasureAppend(postgres, *pki, n, append_seconds, "postgresql");
  }

  std::vector<int64_t> sizes{verify_entries};
  if (ten_million && verify_entries != 10'000'000) sizes.push_back(10'000'000);
  for (int64_t n : sizes) {
    fmt::print("== verify a log of {} entries (heads every 10,000, signed by the hub)\n", n);
    const std::string path = (dir / "verify.db").string();
    RemoveSqlite(path);
    Fill("sqlite:" + path, *pki, n);
    MeasureVerify("sqlite:" + path, path, *pki, n);
    if (!keep || n != sizes.back()) RemoveSqlite(path);
  }
  if (store_dir.empty()) fs::remove_all(dir);
  else if (keep) fmt::print("kept: {}/verify.db and the CA {}/pki/ca/ca.crt\n", dir.string(), dir.string());
  return 0;
}
