// The patient index's linkage at scale: registrations of a `renkei gen people` set are linked
// in blocks of --block (default 1,000,000) in order, as they would arrive at a hub, and each
// block's rate is printed — so the rate at 1M, at 10M, and the time to link the last block
// against everything before it (e.g. 1M incoming against an index of 10M) can be read off.
// Then the accuracy over all registrations against the ground truth, and memory.
//
// Usage: mpi_scale_bench DIR [--registrations N] [--block B] [--threads T]
//   DIR holds patients.csv and ground_truth.csv (rows in the same order, as gen writes them).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "mpi/batch.h"
#include "mpi/records_csv.h"
#include "text/csv.h"
#include "text/encoding.h"

namespace {

using namespace renkei;
using Clock = std::chrono::steady_clock;

// Reads `path` `lines` lines at a time (the header first), as CSV records.
class ChunkReader {
 public:
  explicit ChunkReader(const std::string& path) : in_(path, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_); }
  std::vector<text::CsvRecord> Next(size_t lines) {
    std::string chunk, line;
    for (size_t i = 0; i < lines && std::getline(in_, line); ++i) chunk.append(line).push_back('\n');
    return text::ReadCsv(text::DecodeLines(chunk, text::Encoding::kUtf8).lines);
  }

 private:
  std::ifstream in_;
};

double Seconds(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: mpi_scale_bench DIR [--registrations N] [--block B] [--threads T]\n");
    return 2;
  }
  const std::string dir = argv[1];
  size_t limit = SIZE_MAX, block = 1'000'000;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long long v = std::stoll(argv[i + 1]);
    if (flag == "--registrations") limit = static_cast<size_t>(v);
    else if (flag == "--block") block = static_cast<size_t>(v);
    else if (flag == "--threads") threads = static_cast<int>(v);
  }
  ChunkReader patients(dir + "/patients.csv"), truth_file(dir + "/ground_truth.csv");
  if (!patients.ok() || !truth_file.ok()) {
    fmt::print(stderr, "{}: patients.csv and ground_truth.csv needed (renkei gen people --out DIR)\n", dir);
    return 2;
  }
  // Header rows: column positions.
  auto header = patients.Next(1).at(0).fields;
  auto column = [&](const std::vector<std::string>& h, std::string_view name) {
    for (size_t i = 0; i < h.size(); ++i) {
      if (h[i] == name) return i;
    }
    fmt::print(stderr, "no column {}\n", name);
    std::exit(2);
  };
  const size_t c_family = column(header, "family_kanji"), c_given = column(header, "given_kanji"),
               c_fkana = column(header, "family_kana"), c_gkana = column(header, "given_kana"),
               c_birth = column(header, "birth_date"), c_sex = column(header, "sex"),
               c_postal = column(header, "postal_code"), c_address = column(header, "address"),
               c_phone = column(header, "phone"), c_id = column(header, "record_id");
  auto truth_header = truth_file.Next(1).at(0).fields;
  const size_t t_id = column(truth_header, "record_id"), t_person = column(truth_header, "person_id");

  std::unordered_map<std::string, int64_t> persons;
  std::vector<int64_t> truth;
  mpi::Model model = mpi::Model::Default();
  std::unique_ptr<mpi::Linker> linker;
  int64_t next_identity = 1;
  size_t total = 0, reviews = 0;
  fmt::print("{:>12} {:>12} {:>10} {:>10} {:>14} {:>10} {:>10}\n", "index_before", "block", "normalise_s", "link_s",
             "registrations/s", "review", "pairs/rec");
  const auto start = Clock::now();
  double estimate_seconds = 0;
  while (total < limit) {
    const size_t want = std::min(block, limit - total);
    std::vector<text::CsvRecord> rows = patients.Next(want);
    std::vector<text::CsvRecord> truth_rows = truth_file.Next(want);
    if (rows.empty()) break;
    if (truth_rows.size() != rows.size()) {
      fmt::print(stderr, "patients.csv and ground_truth.csv differ in length\n");
      return 1;
    }
    std::vector<mpi::Demographics> demographics(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& f = rows[i].fields;
      if (f.size() < header.size() || truth_rows[i].fields.at(t_id) != f[c_id]) {
        fmt::print(stderr, "row {}: malformed or out of step with the truth\n", total + i + 2);
        return 1;
      }
      mpi::Demographics& d = demographics[i];
      d.family_kanji = f[c_family], d.given_kanji = f[c_given], d.family_kana = f[c_fkana], d.given_kana = f[c_gkana];
      d.birth_date = f[c_birth], d.sex = f[c_sex], d.postal_code = f[c_postal], d.address = f[c_address];
      d.phone = f[c_phone];
      truth.push_back(persons.emplace(truth_rows[i].fields[t_person], static_cast<int64_t>(persons.size())).first->second);
    }
    rows.clear();
    truth_rows.clear();
    std::vector<const mpi::Demographics*> ptrs;
    for (const auto& d : demographics) ptrs.push_back(&d);
    auto t = Clock::now();
    std::vector<mpi::Features> features = mpi::NormaliseAll(ptrs, threads);
    const double normalise = Seconds(t);
    demographics.clear();
    if (!linker) {
      // The model is estimated once, from the first block, as a new hub would from its first registrations.
      t = Clock::now();
      model = mpi::EstimateModel(features, model);
      estimate_seconds = Seconds(t);
      linker = std::make_unique<mpi::Linker>(model);
    }
    const size_t before = linker->size();
    const size_t n = features.size();
    t = Clock::now();
    const mpi::BatchResult r = mpi::LinkBatch(*linker, std::move(features), [&] { return next_identity++; }, threads);
    const double link = Seconds(t);
    reviews += r.review;
    total += n;
    fmt::print("{:>12} {:>12} {:>10.1f} {:>10.1f} {:>14.0f} {:>10} {:>10.1f}\n", before, n, normalise, link,
               n / (normalise + link), r.review, double(r.compared) / double(n));
    std::fflush(stdout);
  }
  std::vector<int64_t> predicted(linker ? linker->size() : 0);
  for (uint32_t i = 0; i < predicted.size(); ++i) predicted[i] = linker->identity(i);
  const mpi::PairAccuracy a = mpi::MeasurePairs(predicted, truth);
  fmt::print("registrations {}  persons {}  total {:.1f} s (model estimated in {:.1f} s)\n", total, persons.size(),
             Seconds(start), estimate_seconds);
  fmt::print("precision {:.5f}  recall {:.5f}  F1 {:.5f}  review {:.3f}%\n", a.precision(), a.recall(), a.f1(),
             100.0 * double(reviews) / double(std::max<size_t>(total, 1)));
  if (linker) {
    fmt::print("linker memory {:.0f} MB ({:.0f} bytes per registration); peak RSS {} MB\n",
               linker->MemoryBytes() / 1e6, double(linker->MemoryBytes()) / double(std::max<size_t>(total, 1)),
               PeakRssMb());
  }
  return 0;
}
