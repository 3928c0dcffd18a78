// Record linkage (名寄せ) of registrations into identities — one identity per person.
//
// Linker holds the registrations in memory (their Features), a BlockIndex over them and
// each one's identity (an opaque number the caller gives: the hub's identity row, or a
// counter in an evaluation). Deciding about a new registration compares it with the
// candidates blocking finds, scores each pair with the Fellegi–Sunter model, and takes the
// identity of the best-scoring candidate: at or above the model's link weight it links, at or
// above its review weight it goes to an operator, below it is a new person.
//
// Thread-compatible: Decide() and ScoreCandidates() may run concurrently with each other,
// not with Insert() or Reassign().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "mpi/blocking.h"
#include "mpi/model.h"
#include "mpi/record.h"

namespace renkei::mpi {

enum class Outcome { kNew, kLinked, kReview };
std::string_view OutcomeName(Outcome o);  // "new", "linked", "review"

// A scored candidate registration.
struct Match {
  uint32_t record;
  int64_t identity;
  Score score;
};

struct Decision {
  Outcome outcome = Outcome::kNew;
  std::optional<Match> best;       // the best-scoring candidate, if blocking found any
  // The best candidate of another identity that also scored at or above the review weight:
  // two identities that may be one person, for the operator.
  std::optional<Match> other;
  size_t candidates = 0;           // registrations compared
};

// A candidate scored against a registration: just the number and the weight.
struct ScoredCandidate {
  uint32_t record;
  float weight;
};

class Linker {
 public:
  explicit Linker(Model model, size_t per_key_cap = 40);

  // Scores `f` against the registrations numbered in [from, to) that blocking finds, in
  // increasing record order, as a newcomer to an index of `to` registrations. `compared` (may be null) receives how many were compared.
  std::vector<ScoredCandidate> ScoreCandidates(const Features& f, uint32_t from, uint32_t to,
                                               size_t* compared = nullptr) const;
  // Decides about `f` against every registration held now.
  Decision Decide(const Features& f) const;
  // Decides from already scored candidates (of ScoreCandidates against an index of
  // `index_size` registrations), by the identities they hold now; a registration whose
  // identity is negative (retired, e.g. replaced by newer demographics) is passed over.
  Decision Resolve(const Features& f, const std::vector<ScoredCandidate>& scored, size_t compared,
                   size_t index_size) const;

  // Adds a registration with its identity; returns its number (0, 1, 2, ...).
  uint32_t Insert(Features f, int64_t identity);
  // Moves a registration to another identity (a manual link, unlink or merge, or a batch run
  // that inserts first and assigns identities in order afterwards).
  void SetIdentity(uint32_t record, int64_t identity) { identity_.at(record) = identity; }

  int64_t identity(uint32_t record) const { return identity_.at(record); }
  const Features& features(uint32_t record) const { return features_.at(record); }
  uint32_t size() const { return static_cast<uint32_t>(features_.size()); }
  const Model& model() const { return model_; }
  void set_model(Model model) { model_ = std::move(model); }
  size_t MemoryBytes() const;

 private:
  Model model_;
  BlockIndex index_;
  std::vector<Features> features_;
  std::vector<int64_t> identity_;
};

}  // namespace renkei::mpi
