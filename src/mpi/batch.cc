#include "mpi/batch.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

namespace renkei::mpi {
namespace {

// Runs fn(i) for i in [0, n) on `threads` threads, in chunks; reports progress from the
// calling thread's share of the work.
template <typename Fn>
void ParallelFor(size_t n, int threads, std::string_view step, const BatchProgressFn& progress, Fn fn) {
  constexpr size_t kChunk = 1024;
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  auto work = [&](bool reporter) {
    for (size_t begin; (begin = next.fetch_add(kChunk)) < n;) {
      const size_t end = std::min(n, begin + kChunk);
      for (size_t i = begin; i < end; ++i) fn(i);
      const size_t total_done = done.fetch_add(end - begin) + (end - begin);
      if (reporter && progress) progress(step, total_done, n);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work, false);
  work(true);
  for (auto& t : pool) t.join();
  if (progress) progress(step, n, n);
}

}  // namespace

std::vector<Features> NormaliseAll(const std::vector<const Demographics*>& records, int threads,
                                   const BatchProgressFn& progress) {
  std::vector<Features> out(records.size());
  ParallelFor(records.size(), threads, "normalise", progress,
              [&](size_t i) { out[i] = Features::From(*records[i]); });
  return out;
}

Model EstimateModel(const std::vector<Features>& records, const Model& start, uint64_t seed,
                    const BatchProgressFn& progress) {
  Model model = start;
  const size_t n = records.size();
  if (n < 2) return model;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  std::vector<Comparison> random_pairs;
  const size_t random_count = std::min<size_t>(200'000, n * (n - 1) / 2);
  random_pairs.reserve(random_count);
  while (random_pairs.size() < random_count) {
    const size_t a = pick(rng), b = pick(rng);
    if (a != b) random_pairs.push_back(Compare(records[a], records[b]));
  }
  model.EstimateU(random_pairs);
  if (progress) progress("estimate", 1, 3);

  // Training pairs of a session: pairs of registrations with the same key, a few per key,
  // from a sample of the registrations.
  constexpr size_t kSample = 400'000;
  constexpr size_t kPerKey = 8;
  const size_t stride = std::max<size_t>(1, n / kSample);
  auto session_pairs = [&](auto key_of) {
    std::unordered_map<uint64_t, std::vector<uint32_t>> groups;
    std::vector<Comparison> pairs;
    for (size_t i = 0; i < n; i += stride) {
      const uint64_t key = key_of(records[i]);
      if (key == 0) continue;
      std::vector<uint32_t>& g = groups[key];
      if (g.size() >= kPerKey) continue;
      for (uint32_t other : g) pairs.push_back(Compare(records[i], records[other]));
      g.push_back(static_cast<uint32_t>(i));
    }
    return pairs;
  };
  const auto by_birth = session_pairs([](const Features& f) { return uint64_t{f.birth_date()}; });
  const auto by_reading = session_pairs([](const Features& f) -> uint64_t {
    if (f.family_key().empty() || f.given_key().empty()) return 0;
    return std::hash<std::string>{}(std::string(f.family_key()) + '\0' + std::string(f.given_key())) | 1;
  });
  // Session 1 estimates everything but the birth date; session 2 then the birth date, with
  // the others held at session 1's values.
  const double share = model.EstimateM(by_birth, Field::kBirthDate);
  if (progress) progress("estimate", 2, 3);
  Model session2 = model;
  session2.EstimateM(by_reading, std::nullopt);
  model.CopyField(session2, Field::kBirthDate);
  // Matches among the birth-date pairs are the matches that agree on the birth date: scaled up
  // by that share, they give how many earlier registrations of the same person a registration has.
  // A pair survives the sampling with probability 1/stride².
  const double agree = std::max(0.05, model.m(Field::kBirthDate, 0));
  const double matching_pairs = share * static_cast<double>(by_birth.size()) / agree * double(stride) * double(stride);
  if (!by_birth.empty()) model.set_matches_per_record(std::clamp(matching_pairs / double(n), 0.01, 10.0));
  if (progress) progress("estimate", 3, 3);
  return model;
}

BatchResult LinkBatch(Linker& linker, std::vector<Features> incoming, const std::function<int64_t()>& new_identity,
                      int threads, const BatchProgressFn& progress) {
  BatchResult result;
  const uint32_t first = linker.size();
  const size_t n = incoming.size();
  for (Features& f : incoming) linker.Insert(std::move(f), -1);
  // Scores first, in parallel: registration `first + i` against every one before it.
  std::vector<std::vector<ScoredCandidate>> scored(n);
  std::vector<size_t> compared(n);
  const Linker& reader = linker;
  ParallelFor(n, threads, "score", progress, [&](size_t i) {
    const uint32_t record = first + static_cast<uint32_t>(i);
    scored[i] = reader.ScoreCandidates(reader.features(record), 0, record, &compared[i]);
  });
  // Identities in order.
  result.outcome.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t record = first + static_cast<uint32_t>(i);
    const Decision d = linker.Resolve(linker.features(record), scored[i], compared[i], record);
    result.compared += compared[i];
    result.outcome[i] = d.outcome;
    if (d.outcome == Outcome::kLinked) {
      linker.SetIdentity(record, d.best->identity);
      ++result.linked;
    } else {
      linker.SetIdentity(record, new_identity());
      ++(d.outcome == Outcome::kReview ? result.review : result.created);
    }
    std::vector<ScoredCandidate>().swap(scored[i]);
    if (progress && (i % 65536 == 0 || i + 1 == n)) progress("assign", i + 1, n);
  }
  return result;
}

double PairAccuracy::f1() const {
  const double p = precision(), r = recall();
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

PairAccuracy MeasurePairs(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth) {
  auto pairs = [](int64_t k) { return k * (k - 1) / 2; };
  std::unordered_map<int64_t, int64_t> by_predicted, by_truth;
  std::map<std::pair<int64_t, int64_t>, int64_t> by_both;
  for (size_t i = 0; i < predicted.size() && i < truth.size(); ++i) {
    ++by_predicted[predicted[i]];
    ++by_truth[truth[i]];
    ++by_both[{predicted[i], truth[i]}];
  }
  PairAccuracy a;
  for (const auto& [k, v] : by_predicted) a.predicted_pairs += pairs(v);
  for (const auto& [k, v] : by_truth) a.true_pairs += pairs(v);
  for (const auto& [k, v] : by_both) a.correct_pairs += pairs(v);
  return a;
}

}  // namespace renkei::mpi
