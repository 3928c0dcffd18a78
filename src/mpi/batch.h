// Linking many registrations at once, on all cores, with the same decisions as adding them
// one by one in order: the pair scores do not depend on identities, so they are computed in
// parallel first; identities are then assigned in order, each registration seeing exactly the
// registrations before it. Also: estimating a model from the registrations themselves, and
// pairwise accuracy against a ground truth (for `renkei mpi evaluate`).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "mpi/linker.h"
#include "mpi/record.h"

namespace renkei::mpi {

// Progress of a long step: its name ("normalise", "estimate", "score", "assign"), done, total.
using BatchProgressFn = std::function<void(std::string_view step, size_t done, size_t total)>;

// Normalises demographics on `threads` threads.
std::vector<Features> NormaliseAll(const std::vector<const Demographics*>& records, int threads,
                                   const BatchProgressFn& progress = nullptr);

// Estimates u from random pairs and m and the prior by EM over blocked candidate pairs of
// `records` (sampled when there are many), starting from `start`; keeps start's thresholds.
Model EstimateModel(const std::vector<Features>& records, const Model& start, uint64_t seed = 1,
                    const BatchProgressFn& progress = nullptr);

struct BatchResult {
  size_t linked = 0;      // joined an existing identity automatically
  size_t review = 0;      // sent to an operator (kept as an identity of their own meanwhile)
  size_t created = 0;     // new identities
  size_t compared = 0;    // candidate pairs scored
  std::vector<Outcome> outcome;  // per incoming registration
};

// Adds `incoming` to `linker` in order. A registration linked automatically takes its best
// candidate's identity; any other gets `new_identity()` (called in order).
BatchResult LinkBatch(Linker& linker, std::vector<Features> incoming, const std::function<int64_t()>& new_identity,
                      int threads, const BatchProgressFn& progress = nullptr);

// Pairwise accuracy of a partition (predicted identity per record) against the truth (a
// person per record): over all pairs of records put together.
struct PairAccuracy {
  int64_t true_pairs = 0;       // pairs of records of one person
  int64_t predicted_pairs = 0;  // pairs of records given one identity
  int64_t correct_pairs = 0;    // both
  double precision() const { return predicted_pairs ? double(correct_pairs) / double(predicted_pairs) : 1.0; }
  double recall() const { return true_pairs ? double(correct_pairs) / double(true_pairs) : 1.0; }
  double f1() const;
};
PairAccuracy MeasurePairs(const std::vector<int64_t>& predicted, const std::vector<int64_t>& truth);

}  // namespace renkei::mpi
