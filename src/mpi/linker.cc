#include "mpi/linker.h"

namespace renkei::mpi {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kNew: return "new";
    case Outcome::kLinked: return "linked";
    case Outcome::kReview: return "review";
  }
  return "new";
}

Linker::Linker(Model model, size_t per_key_cap) : model_(std::move(model)), index_(per_key_cap) {}

std::vector<ScoredCandidate> Linker::ScoreCandidates(const Features& f, uint32_t from, uint32_t to,
                                                     size_t* compared) const {
  std::vector<uint32_t> candidates;
  to = std::min(to, size());
  index_.Candidates(f, from, to, &candidates);
  if (compared) *compared = candidates.size();
  std::vector<ScoredCandidate> out;
  out.reserve(candidates.size());
  for (uint32_t c : candidates) {
    out.push_back({c, static_cast<float>(model_.Evaluate(Compare(f, features_[c]), to).weight)});
  }
  return out;
}

Decision Linker::Decide(const Features& f) const {
  size_t compared = 0;
  auto scored = ScoreCandidates(f, 0, size(), &compared);
  return Resolve(f, scored, compared, size());
}

Decision Linker::Resolve(const Features& f, const std::vector<ScoredCandidate>& scored, size_t compared,
                         size_t index_size) const {
  Decision d;
  d.candidates = compared;
  const ScoredCandidate* best = nullptr;
  for (const ScoredCandidate& c : scored) {
    if (identity_[c.record] < 0) continue;  // retired
    if (!best || c.weight > best->weight) best = &c;
  }
  if (!best) return d;
  const int64_t best_identity = identity_[best->record];
  const ScoredCandidate* other = nullptr;
  for (const ScoredCandidate& c : scored) {
    if (identity_[c.record] >= 0 && identity_[c.record] != best_identity && c.weight >= model_.review_weight() && (!other || c.weight > other->weight)) {
      other = &c;
    }
  }
  // The full breakdown is computed again for the few pairs a decision keeps.
  auto match = [&](const ScoredCandidate& c) {
    return Match{c.record, identity_[c.record], model_.Evaluate(Compare(f, features_[c.record]), index_size)};
  };
  d.best = match(*best);
  if (other) d.other = match(*other);
  if (best->weight >= model_.link_weight()) {
    d.outcome = Outcome::kLinked;
  } else if (best->weight >= model_.review_weight()) {
    d.outcome = Outcome::kReview;
  }
  return d;
}

uint32_t Linker::Insert(Features f, int64_t identity) {
  const uint32_t record = size();
  index_.Add(record, f);
  features_.push_back(std::move(f));
  identity_.push_back(identity);
  return record;
}

size_t Linker::MemoryBytes() const {
  size_t bytes = sizeof(*this) + index_.MemoryBytes() + identity_.capacity() * sizeof(int64_t) +
                 (features_.capacity() - features_.size()) * sizeof(Features);
  for (const Features& f : features_) bytes += f.MemoryBytes();
  return bytes;
}

}  // namespace renkei::mpi
