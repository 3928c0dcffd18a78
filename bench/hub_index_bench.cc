// The hub's patient index with a real store: loads N registrations of a `renkei gen people`
// set into an IndexStore (SQLite or PostgreSQL), opens the PatientIndex over it (loading the
// linker), then measures PDQ search latency, registration latency (durable) and the record
// locator's bytes per entry on disk.
//
// Usage: hub_index_bench STORE_URL DIR [REGISTRATIONS (default 1000000)] [QUERIES (default 2000)]
#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "hub/index_store.h"
#include "hub/patient_index.h"
#include "mpi/record.h"
#include "text/csv.h"
#include "text/encoding.h"

namespace {

using namespace renkei;
using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Row {
  std::string facility, local_id, person;
  mpi::Demographics d;
};

// Reads the first `n` rows of patients.csv and ground_truth.csv (same order).
std::vector<Row> ReadRows(const std::string& dir, size_t n) {
  std::ifstream p(dir + "/patients.csv"), t(dir + "/ground_truth.csv");
  std::string pl, tl, chunk_p, chunk_t;
  std::getline(p, pl);
  std::getline(t, tl);
  std::vector<Row> rows;
  while (rows.size() < n) {
    chunk_p.clear(), chunk_t.clear();
    for (int i = 0; i < 100000 && rows.size() + i < n && std::getline(p, pl) && std::getline(t, tl); ++i) {
      chunk_p.append(pl).push_back('\n');
      chunk_t.append(tl).push_back('\n');
    }
    if (chunk_p.empty()) break;
    auto ps = text::ReadCsv(text::DecodeLines(chunk_p, text::Encoding::kUtf8).lines);
    auto ts = text::ReadCsv(text::DecodeLines(chunk_t, text::Encoding::kUtf8).lines);
    for (size_t i = 0; i < ps.size() && i < ts.size(); ++i) {
      const auto& f = ps[i].fields;
      Row r{f.at(1), f.at(2), ts[i].fields.at(1), {}};
      r.d = {f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], ""};
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int Fail(const Status& s) {
  fmt::print(stderr, "{}\n", s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: hub_index_bench STORE_URL DIR [REGISTRATIONS] [QUERIES]\n");
    return 2;
  }
  const std::string url = argv[1], dir = argv[2];
  const size_t n = argc > 3 ? std::stoul(argv[3]) : 1'000'000;
  const size_t queries = argc > 4 ? std::stoul(argv[4]) : 2000;
  const size_t extra = 500;  // registered through the service afterwards
  auto t = Clock::now();
  std::vector<Row> rows = ReadRows(dir, n + extra);
  if (rows.size() < n + extra) {
    fmt::print(stderr, "{} has only {} registrations\n", dir, rows.size());
    return 2;
  }
  fmt::print("read {} registrations in {:.1f} s\n", rows.size(), Ms(t) / 1000);

  // Load: one identity per person of the truth (the index as a linked region would have it).
  {
    auto store = hub::IndexStore::Open(url);
    if (!store.ok()) return Fail(store.status());
    t = Clock::now();
    std::unordered_map<std::string, int64_t> identity;
    for (size_t i = 0; i < n; ++i) {
      if (i % 10000 == 0) {
        if (i > 0 && !(*store)->Commit().ok()) return 1;
        if (!(*store)->Begin().ok()) return 1;
      }
      int64_t& id = identity[rows[i].person];
      if (id == 0) {
        auto fresh = (*store)->NewIdentity();
        if (!fresh.ok()) return Fail(fresh.status());
        id = *fresh;
      }
      auto r = (*store)->InsertRegistration(rows[i].facility, rows[i].local_id, id, rows[i].d,
                                            hub::KeysOf(mpi::Features::From(rows[i].d)), true);
      if (!r.ok()) return Fail(r.status());
    }
    if (!(*store)->Commit().ok()) return 1;
    fmt::print("loaded {} registrations ({} persons) in {:.1f} s ({:.0f}/s)\n", n, identity.size(), Ms(t) / 1000,
               n / (Ms(t) / 1000));
    auto bytes = (*store)->LocatorBytes();
    auto entries = (*store)->LocatorRows();
    if (bytes.ok() && entries.ok() && *entries > 0) {
      fmt::print("locator: {} entries, {:.1f} MB, {:.1f} bytes per entry; Japan at 2.5 billion entries: {:.0f} GB\n",
                 *entries, *bytes / 1e6, double(*bytes) / double(*entries),
                 double(*bytes) / double(*entries) * 2.5e9 / 1e9);
    }
  }

  t = Clock::now();
  hub::PatientIndexOptions options;
  options.store_url = url;
  auto index = hub::PatientIndex::Open(options);
  if (!index.ok()) return Fail(index.status());
  fmt::print("opened the index (linker loaded) in {:.1f} s\n", Ms(t) / 1000);

  // PDQ: a registration's reading prefix and birth date; its written names; its phone.
  std::mt19937_64 rng(7);
  std::vector<double> pdq;
  size_t found = 0;
  for (size_t q = 0; q < queries; ++q) {
    const Row& r = rows[rng() % n];
    hub::SearchRequest s;
    switch (q % 3) {
      case 0: s.demographics.family_kana = r.d.family_kana.substr(0, 6), s.demographics.birth_date = r.d.birth_date; break;
      case 1: s.demographics.family_kanji = r.d.family_kanji, s.demographics.given_kanji = r.d.given_kanji; break;
      default:
        if (r.d.phone.empty()) s.demographics.family_kana = r.d.family_kana, s.demographics.given_kana = r.d.given_kana;
        else s.demographics.phone = r.d.phone;
    }
    const auto qt = Clock::now();
    auto hits = (*index)->Search(s);
    pdq.push_back(Ms(qt));
    if (hits.ok()) {
      for (const auto& h : *hits) {
        for (const auto& reg : h.person.registrations) found += reg.local_id == r.local_id && reg.facility == r.facility;
      }
    }
  }
  fmt::print("PDQ over {} registrations: {} queries, p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms; the person sought among the hits in {:.1f}%\n",
             n, queries, Percentile(pdq, 0.5), Percentile(pdq, 0.99), Percentile(pdq, 1.0),
             100.0 * double(found) / double(queries));

  std::vector<double> reg;
  for (size_t i = n; i < n + extra; ++i) {
    hub::RegisterRequest r{{rows[i].facility, rows[i].local_id}, rows[i].d, true, "bench"};
    const auto rt = Clock::now();
    auto result = (*index)->Register(r);
    reg.push_back(Ms(rt));
    if (!result.ok()) return Fail(result.status());
  }
  fmt::print("register (durable, linked against {}): p50 {:.2f} ms, p99 {:.2f} ms\n", n, Percentile(reg, 0.5),
             Percentile(reg, 0.99));
  return 0;
}
