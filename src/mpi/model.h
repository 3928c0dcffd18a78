// The Fellegi–Sunter model of record linkage: for each field and agreement level, m (the
// probability of that level when two registrations are the same person) and u (when they are
// not). A pair's match weight is log2 of the prior odds plus, per field, log2(m/u) — so every
// decision can be explained field by field. Two thresholds on the match weight split pairs
// into auto-link, review and no link.
//
// The prior odds that a new registration is the same person as one given registration of an
// index of N are r/N, r being how many registrations of the same person a new one finds on
// average: the larger the index, the more evidence a link needs (a coincidence is likelier).
//
// u is estimated from random pairs (almost all of which are non-matches); m and r by
// expectation–maximisation (Winkler 1988) in two sessions, as Splink does: over pairs sharing a
// birth date (which estimates every field but the birth date) and over pairs sharing a full
// reading (which estimates the birth date).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "mpi/compare.h"

namespace renkei::mpi {

inline constexpr int kMaxLevels = 4;

// One field's contribution to a pair's weight.
struct FieldScore {
  Field field;
  int8_t level;   // kMissing or 0..LevelCount-1
  double weight;  // log2(m/u); 0 when missing
};

struct Score {
  double prior = 0;   // log2 of the prior odds, log2(r/N)
  double weight = 0;  // the match weight: prior + Σ field weights
  std::array<FieldScore, kFieldCount> fields{};
  double Probability() const;  // the posterior probability of a match, 1 / (1 + 2^-weight)
};

// A score as JSON, for histories and answers: {"weight", "prior", "probability",
// "fields": [{"field", "level", "weight"}...]}.
nlohmann::json ScoreJson(const Score& s);

class Model {
 public:
  // Parameters for Japanese demographics (and Latin names) that work before any estimation:
  // a new hub links with these until it has enough registrations to estimate its own.
  static Model Default();

  // Scores a pair of a new registration and one of an index of `index_size` registrations.
  Score Evaluate(const Comparison& c, size_t index_size) const;
  double FieldWeight(Field f, int level) const;

  double m(Field f, int level) const { return m_[static_cast<size_t>(f)][level]; }
  double u(Field f, int level) const { return u_[static_cast<size_t>(f)][level]; }
  double matches_per_record() const { return matches_per_record_; }  // r
  double PriorWeight(size_t index_size) const;  // log2(r/N)
  double link_weight() const { return link_weight_; }      // at or above: link automatically
  double review_weight() const { return review_weight_; }  // at or above (below link): review
  Status SetThresholds(double link_weight, double review_weight);  // InvalidArgument unless review ≤ link

  // Estimates u from comparisons of random pairs (level frequencies, smoothed).
  void EstimateU(const std::vector<Comparison>& random_pairs);
  // Estimates m by EM over `pairs` (u held fixed), except for the `fixed` field (the one the
  // pairs were chosen by: its agreement says nothing there). Returns the share of the pairs
  // that are matches. Stops when parameters move less than 1e-6, or at `max_iterations`.
  double EstimateM(const std::vector<Comparison>& pairs, std::optional<Field> fixed, int max_iterations = 200);
  void set_matches_per_record(double r) { matches_per_record_ = r; }
  // Takes one field's m from another model (of another estimation session).
  void CopyField(const Model& from, Field f) { m_[static_cast<size_t>(f)] = from.m_[static_cast<size_t>(f)]; }

  nlohmann::json ToJson() const;
  static StatusOr<Model> FromJson(const nlohmann::json& j);  // InvalidArgument naming the bad member

 private:
  std::array<std::array<double, kMaxLevels>, kFieldCount> m_{};
  std::array<std::array<double, kMaxLevels>, kFieldCount> u_{};
  double matches_per_record_ = 0.5;
  // Link at a posterior probability of 0.985 or more (2^6 : 1); review from 0.5 (1 : 1).
  double link_weight_ = 6;
  double review_weight_ = 0;
};

}  // namespace renkei::mpi
