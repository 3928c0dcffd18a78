#include "hub/patient_index.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mpi/regional_id.h"

namespace renkei::hub {
namespace {

constexpr std::string_view kLinker = "linker";
constexpr size_t kMaxFieldBytes = 512;  // any one demographic field

Status CheckRequest(const RegisterRequest& r) {
  if (r.id.facility.empty()) return InvalidArgument("facility is required");
  if (r.id.local_id.empty()) return InvalidArgument("local_id is required");
  if (r.id.facility.size() > kMaxIdBytes || r.id.local_id.size() > kMaxIdBytes) {
    return InvalidArgument(fmt::format("facility and local_id are at most {} bytes", kMaxIdBytes));
  }
  if (!r.consent) {
    return FailedPrecondition(
        "the patient's consent to sharing is not recorded: register only patients who consented (consent: true)");
  }
  const mpi::Demographics& d = r.demographics;
  const std::pair<const char*, const std::string*> fields[] = {
      {"family_kanji", &d.family_kanji}, {"given_kanji", &d.given_kanji}, {"family_kana", &d.family_kana},
      {"given_kana", &d.given_kana},     {"birth_date", &d.birth_date},   {"sex", &d.sex},
      {"postal_code", &d.postal_code},   {"address", &d.address},         {"phone", &d.phone},
      {"identifier", &d.identifier}};
  for (const auto& [name, value] : fields) {
    if (value->size() > kMaxFieldBytes) return InvalidArgument(fmt::format("{} is longer than {} bytes", name, kMaxFieldBytes));
  }
  if (d.family_kanji.empty() && d.family_kana.empty()) {
    return InvalidArgument("a family name is required (family_kanji or family_kana)");
  }
  if (d.birth_date.empty()) return InvalidArgument("birth_date is required");
  return Status::Ok();
}

}  // namespace

SearchKeys KeysOf(const mpi::Features& f) {
  SearchKeys k;
  k.family = std::string(f.family());
  k.given = std::string(f.given());
  k.family_key = std::string(f.family_key());
  k.given_key = std::string(f.given_key());
  k.phone = std::string(f.phone());
  k.postal_code = std::string(f.postal_code());
  k.birth_date = f.birth_date();
  k.sex = f.sex();
  return k;
}

PatientIndex::PatientIndex(std::unique_ptr<IndexStore> store, mpi::Model model)
    : store_(std::move(store)), model_(model), linker_(std::move(model)) {}

StatusOr<std::unique_ptr<PatientIndex>> PatientIndex::Open(const PatientIndexOptions& options) {
  RENKEI_ASSIGN_OR_RETURN(auto store, IndexStore::Open(options.store_url));
  if (options.durable) RENKEI_RETURN_IF_ERROR(store->RequireDurableCommits());
  std::unique_ptr<PatientIndex> index(
      new PatientIndex(std::move(store), options.model ? *options.model : mpi::Model::Default()));
  RENKEI_RETURN_IF_ERROR(index->Load());
  return index;
}

Status PatientIndex::Load() {
  return store_->ForEachRegistration([&](const RegistrationRow& r) {
    TrackInLinker(r.id, mpi::Features::From(r.demographics), r.identity);
    return Status::Ok();
  });
}

void PatientIndex::TrackInLinker(int64_t registration, const mpi::Features& features, int64_t identity) {
  if (auto it = record_of_.find(registration); it != record_of_.end()) linker_.SetIdentity(it->second, -1);
  const uint32_t record = linker_.Insert(features, identity);
  record_of_[registration] = record;
  registration_of_.push_back(registration);
}

size_t PatientIndex::size() {
  std::lock_guard lock(mu_);
  return record_of_.size();
}

Status PatientIndex::Transaction(const std::function<Status()>& body) {
  RENKEI_RETURN_IF_ERROR(store_->Begin());
  Status s = body();
  if (s.ok()) s = store_->Commit();
  if (!s.ok()) store_->Rollback().IgnoreError();
  return s;
}

StatusOr<RegisterResult> PatientIndex::Register(const RegisterRequest& request) {
  RENKEI_RETURN_IF_ERROR(CheckRequest(request));
  std::lock_guard lock(mu_);
  const mpi::Features features = mpi::Features::From(request.demographics);
  const SearchKeys keys = KeysOf(features);
  const std::string actor = request.actor.empty() ? std::string(kLinker) : request.actor;
  RENKEI_ASSIGN_OR_RETURN(auto existing, store_->FindRegistration(request.id.facility, request.id.local_id));
  RegisterResult result;
  if (existing) {
    // An update: new demographics for the same local record. The identity stays; if the new
    // demographics now resemble another identity, an operator decides.
    const mpi::Decision d = linker_.Decide(features);
    int64_t review_id = 0;
    RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
      RENKEI_RETURN_IF_ERROR(store_->UpdateRegistration(existing->id, request.demographics, keys, request.consent));
      RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
      LinkEventRow e{.change = result.change, .actor = actor, .action = LinkAction::kUpdate,
                     .registration = existing->id, .from_identity = existing->identity,
                     .to_identity = existing->identity};
      RENKEI_RETURN_IF_ERROR(store_->AppendLinkEvent(e).status());
      if (d.best && d.best->identity != existing->identity && d.best->score.weight >= model_.review_weight()) {
        ReviewRow r{.registration = existing->id, .candidate = registration_of_[d.best->record],
                    .score = d.best->score.weight, .breakdown = mpi::ScoreJson(d.best->score).dump()};
        auto added = store_->AddReview(r);
        if (added.ok()) review_id = *added;
        else if (added.status().code() != StatusCode::kAlreadyExists) return added.status();
      }
      return Status::Ok();
    }));
    TrackInLinker(existing->id, features, existing->identity);
    result.regional_id = mpi::FormatRegionalId(existing->identity);
    result.outcome = "updated";
    result.review_id = review_id;
    if (d.best) result.score = d.best->score;
    return result;
  }

  const mpi::Decision d = linker_.Decide(features);
  int64_t identity = 0, registration = 0;
  RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
    if (d.outcome == mpi::Outcome::kLinked) {
      identity = d.best->identity;
    } else {
      RENKEI_ASSIGN_OR_RETURN(identity, store_->NewIdentity());
    }
    RENKEI_ASSIGN_OR_RETURN(registration, store_->InsertRegistration(request.id.facility, request.id.local_id, identity,
                                                                     request.demographics, keys, request.consent));
    RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
    LinkEventRow e{.change = result.change, .actor = actor, .registration = registration, .to_identity = identity};
    e.action = d.outcome == mpi::Outcome::kLinked   ? LinkAction::kAutoLink
               : d.outcome == mpi::Outcome::kReview ? LinkAction::kReview
                                                    : LinkAction::kNew;
    if (d.best) {
      e.score = d.best->score.weight;
      e.breakdown = mpi::ScoreJson(d.best->score).dump();
    }
    RENKEI_RETURN_IF_ERROR(store_->AppendLinkEvent(e).status());
    if (d.outcome == mpi::Outcome::kReview) {
      ReviewRow r{.registration = registration, .candidate = registration_of_[d.best->record],
                  .score = d.best->score.weight, .breakdown = e.breakdown};
      RENKEI_ASSIGN_OR_RETURN(result.review_id, store_->AddReview(r));
    }
    // Linked, but another identity also resembles it: two identities may be one person.
    if (d.outcome == mpi::Outcome::kLinked && d.other) {
      ReviewRow r{.registration = registration, .candidate = registration_of_[d.other->record],
                  .score = d.other->score.weight, .breakdown = mpi::ScoreJson(d.other->score).dump()};
      auto added = store_->AddReview(r);
      if (added.ok()) result.review_id = *added;
      else if (added.status().code() != StatusCode::kAlreadyExists) return added.status();
    }
    return Status::Ok();
  }));
  TrackInLinker(registration, features, identity);
  result.created = true;
  result.regional_id = mpi::FormatRegionalId(identity);
  result.outcome = std::string(mpi::OutcomeName(d.outcome));
  if (d.best) {
    result.score = d.best->score;
    auto matched = store_->GetRegistration(registration_of_[d.best->record]);
    if (matched.ok() && *matched) result.matched = LocalId{(*matched)->facility, (*matched)->local_id};
  }
  return result;
}

StatusOr<RegistrationRow> PatientIndex::Registration(const LocalId& id) {
  RENKEI_ASSIGN_OR_RETURN(auto row, store_->FindRegistration(id.facility, id.local_id));
  if (!row) return NotFound(fmt::format("facility {} has not registered patient {}", id.facility, id.local_id));
  return *row;
}

StatusOr<int64_t> PatientIndex::ResolveRegional(std::string_view regional_id, std::string* merged_from) {
  RENKEI_ASSIGN_OR_RETURN(int64_t identity, mpi::ParseRegionalId(regional_id));
  auto merged = store_->MergedInto(identity);
  if (!merged.ok()) {
    if (merged.status().code() == StatusCode::kNotFound) return NotFound(fmt::format("no patient {}", regional_id));
    return merged.status();
  }
  if (*merged) {
    if (merged_from) *merged_from = std::string(regional_id);
    return **merged;
  }
  return identity;
}

StatusOr<CrossReference> PatientIndex::CrossReferenceOf(int64_t identity) {
  CrossReference x;
  x.regional_id = mpi::FormatRegionalId(identity);
  RENKEI_ASSIGN_OR_RETURN(x.registrations, store_->RegistrationsOf(identity));
  return x;
}

StatusOr<CrossReference> PatientIndex::Lookup(const LocalId& id) {
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(RegistrationRow row, Registration(id));
  return CrossReferenceOf(row.identity);
}

StatusOr<CrossReference> PatientIndex::LookupRegional(std::string_view regional_id) {
  std::lock_guard lock(mu_);
  std::string merged_from;
  RENKEI_ASSIGN_OR_RETURN(int64_t identity, ResolveRegional(regional_id, &merged_from));
  RENKEI_ASSIGN_OR_RETURN(CrossReference x, CrossReferenceOf(identity));
  x.merged_from = merged_from;
  return x;
}

StatusOr<std::vector<SearchHit>> PatientIndex::Search(const SearchRequest& request) {
  if (request.limit < 1 || request.limit > 100) return InvalidArgument("limit must be between 1 and 100");
  const mpi::Features q = mpi::Features::From(request.demographics);
  SearchQuery query;
  query.family = std::string(q.family());
  query.given = std::string(q.given());
  // Readings as typed may be partial: search by the prefix of the key when there is a reading.
  if (!q.family_kana().empty()) query.family_key = std::string(q.family_key());
  if (!q.given_kana().empty()) query.given_key = std::string(q.given_key());
  query.birth_date = q.birth_date();
  query.phone = std::string(q.phone());
  if (query.family.empty() && query.given.empty() && query.family_key.empty() && query.given_key.empty() &&
      query.birth_date == 0 && query.phone.empty()) {
    return InvalidArgument("search by at least one of: a name, a reading (kana), the birth date or a phone number");
  }
  // Narrowing members that are cheap to index go to the store; the rest rank.
  query.limit = 500;
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(SearchResult found, store_->Search(query));
  std::map<int64_t, double> best;  // identity → best score
  for (const RegistrationRow& r : found.candidates) {
    const mpi::Score s = model_.Evaluate(mpi::Compare(q, mpi::Features::From(r.demographics)), 1);
    double sum = 0;
    for (const mpi::FieldScore& f : s.fields) sum += f.weight;
    auto [it, fresh] = best.emplace(r.identity, sum);
    if (!fresh) it->second = std::max(it->second, sum);
  }
  std::vector<std::pair<double, int64_t>> ranked;
  for (const auto& [identity, score] : best) ranked.push_back({score, identity});
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<SearchHit> hits;
  for (const auto& [score, identity] : ranked) {
    if (hits.size() >= request.limit) break;
    RENKEI_ASSIGN_OR_RETURN(CrossReference x, CrossReferenceOf(identity));
    hits.push_back({std::move(x), score});
  }
  return hits;
}

Status PatientIndex::Move(int64_t change, const std::vector<RegistrationRow>& rows, int64_t identity, LinkAction action,
                          std::string_view actor, std::string_view reason) {
  for (const RegistrationRow& r : rows) {
    RENKEI_RETURN_IF_ERROR(store_->SetIdentity(r.id, identity));
    LinkEventRow e{.change = change, .actor = std::string(actor), .action = action, .registration = r.id,
                   .from_identity = r.identity, .to_identity = identity, .reason = std::string(reason)};
    RENKEI_RETURN_IF_ERROR(store_->AppendLinkEvent(e).status());
  }
  return Status::Ok();
}

namespace {
Status NeedReason(std::string_view actor, std::string_view reason) {
  if (actor.empty()) return InvalidArgument("the operator's name is required");
  if (reason.empty()) return InvalidArgument("a reason is required for a manual change");
  return Status::Ok();
}
}  // namespace

StatusOr<ChangeResult> PatientIndex::Link(const LocalId& id, std::string_view regional_id, std::string_view actor,
                                          std::string_view reason) {
  RENKEI_RETURN_IF_ERROR(NeedReason(actor, reason));
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(RegistrationRow row, Registration(id));
  RENKEI_ASSIGN_OR_RETURN(int64_t target, ResolveRegional(regional_id, nullptr));
  if (row.identity == target) return FailedPrecondition(fmt::format("{}:{} is already in {}", id.facility, id.local_id, regional_id));
  ChangeResult result;
  RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
    return Move(result.change, {row}, target, LinkAction::kLink, actor, reason);
  }));
  linker_.SetIdentity(record_of_.at(row.id), target);
  result.regional_ids = {mpi::FormatRegionalId(target), mpi::FormatRegionalId(row.identity)};
  return result;
}

StatusOr<ChangeResult> PatientIndex::Unlink(const LocalId& id, std::string_view actor, std::string_view reason) {
  RENKEI_RETURN_IF_ERROR(NeedReason(actor, reason));
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(RegistrationRow row, Registration(id));
  RENKEI_ASSIGN_OR_RETURN(auto members, store_->RegistrationsOf(row.identity));
  if (members.size() < 2) {
    return FailedPrecondition(fmt::format("{}:{} is alone in {}: nothing to unlink it from", id.facility, id.local_id,
                                          mpi::FormatRegionalId(row.identity)));
  }
  ChangeResult result;
  int64_t fresh = 0;
  RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(fresh, store_->NewIdentity());
    RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
    return Move(result.change, {row}, fresh, LinkAction::kUnlink, actor, reason);
  }));
  linker_.SetIdentity(record_of_.at(row.id), fresh);
  result.regional_ids = {mpi::FormatRegionalId(fresh), mpi::FormatRegionalId(row.identity)};
  return result;
}

StatusOr<ChangeResult> PatientIndex::Merge(std::string_view from_regional_id, std::string_view into_regional_id,
                                           std::string_view actor, std::string_view reason) {
  RENKEI_RETURN_IF_ERROR(NeedReason(actor, reason));
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(int64_t from, ResolveRegional(from_regional_id, nullptr));
  RENKEI_ASSIGN_OR_RETURN(int64_t into, ResolveRegional(into_regional_id, nullptr));
  if (from == into) return FailedPrecondition(fmt::format("{} and {} are one patient already", from_regional_id, into_regional_id));
  RENKEI_ASSIGN_OR_RETURN(auto rows, store_->RegistrationsOf(from));
  ChangeResult result;
  RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
    RENKEI_RETURN_IF_ERROR(Move(result.change, rows, into, LinkAction::kMerge, actor, reason));
    return store_->MarkMerged(from, into);
  }));
  for (const RegistrationRow& r : rows) linker_.SetIdentity(record_of_.at(r.id), into);
  result.regional_ids = {mpi::FormatRegionalId(into)};
  return result;
}

StatusOr<ChangeResult> PatientIndex::Revert(int64_t change, std::string_view actor, std::string_view reason) {
  RENKEI_RETURN_IF_ERROR(NeedReason(actor, reason));
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(auto rows, store_->ChangeRows(change));
  if (rows.empty()) return NotFound(fmt::format("no change {}", change));
  std::vector<std::pair<RegistrationRow, int64_t>> moves;  // registration, back to
  std::vector<int64_t> unmerge;
  for (const LinkEventRow& e : rows) {
    const bool moved = e.action == LinkAction::kLink || e.action == LinkAction::kUnlink ||
                       e.action == LinkAction::kMerge || e.action == LinkAction::kAutoLink;
    if (!moved || e.registration == 0) continue;
    RENKEI_ASSIGN_OR_RETURN(auto reg, store_->GetRegistration(e.registration));
    if (!reg) return NotFound(fmt::format("registration {} of change {} no longer exists", e.registration, change));
    if (reg->identity != e.to_identity) {
      return FailedPrecondition(fmt::format("{}:{} has moved since change {}; revert the later change first",
                                            reg->facility, reg->local_id, change));
    }
    if (e.action == LinkAction::kAutoLink) {
      // An automatic link moved the registration from nowhere: it goes back to an identity of its own.
      moves.push_back({*reg, 0});
    } else {
      moves.push_back({*reg, e.from_identity});
    }
    if (e.action == LinkAction::kMerge &&
        std::find(unmerge.begin(), unmerge.end(), e.from_identity) == unmerge.end()) {
      unmerge.push_back(e.from_identity);
    }
  }
  if (moves.empty()) return FailedPrecondition(fmt::format("change {} moved no registration: nothing to revert", change));
  ChangeResult result;
  std::vector<std::pair<int64_t, int64_t>> applied;  // registration, identity
  RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
    applied.clear();
    RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
    for (int64_t identity : unmerge) RENKEI_RETURN_IF_ERROR(store_->ClearMerged(identity));
    for (auto& [reg, back] : moves) {
      int64_t target = back;
      if (target == 0) {
        RENKEI_ASSIGN_OR_RETURN(target, store_->NewIdentity());
      }
      RENKEI_RETURN_IF_ERROR(Move(result.change, {reg}, target, LinkAction::kRevert, actor,
                                  fmt::format("revert change {}: {}", change, reason)));
      applied.push_back({reg.id, target});
    }
    return Status::Ok();
  }));
  for (const auto& [reg, identity] : applied) {
    linker_.SetIdentity(record_of_.at(reg), identity);
    const std::string id = mpi::FormatRegionalId(identity);
    if (std::find(result.regional_ids.begin(), result.regional_ids.end(), id) == result.regional_ids.end()) {
      result.regional_ids.push_back(id);
    }
  }
  return result;
}

StatusOr<std::vector<ReviewRow>> PatientIndex::Reviews(std::optional<ReviewStatus> status, size_t limit,
                                                       int64_t after_id) {
  std::lock_guard lock(mu_);
  return store_->ListReviews(status, limit, after_id);
}

StatusOr<ReviewDetail> PatientIndex::Review(int64_t id) {
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(auto review, store_->GetReview(id));
  if (!review) return NotFound(fmt::format("no review {}", id));
  ReviewDetail d;
  d.review = *review;
  RENKEI_ASSIGN_OR_RETURN(auto a, store_->GetRegistration(review->registration));
  RENKEI_ASSIGN_OR_RETURN(auto b, store_->GetRegistration(review->candidate));
  if (!a || !b) return NotFound(fmt::format("a registration of review {} no longer exists", id));
  d.registration = *a;
  d.candidate = *b;
  d.registration_regional_id = mpi::FormatRegionalId(a->identity);
  d.candidate_regional_id = mpi::FormatRegionalId(b->identity);
  return d;
}

StatusOr<ChangeResult> PatientIndex::ResolveReview(int64_t id, std::string_view decision, std::string_view actor,
                                                   std::string_view reason) {
  RENKEI_RETURN_IF_ERROR(NeedReason(actor, reason));
  if (decision != "link" && decision != "keep_apart") {
    return InvalidArgument(fmt::format("decision must be link or keep_apart (got '{}')", decision.substr(0, 40)));
  }
  std::lock_guard lock(mu_);
  RENKEI_ASSIGN_OR_RETURN(auto review, store_->GetReview(id));
  if (!review) return NotFound(fmt::format("no review {}", id));
  if (review->status != ReviewStatus::kOpen) {
    return FailedPrecondition(fmt::format("review {} is already resolved ({})", id, ReviewStatusName(review->status)));
  }
  RENKEI_ASSIGN_OR_RETURN(auto a, store_->GetRegistration(review->registration));
  RENKEI_ASSIGN_OR_RETURN(auto b, store_->GetRegistration(review->candidate));
  if (!a || !b) return NotFound(fmt::format("a registration of review {} no longer exists", id));
  ChangeResult result;
  const bool link = decision == "link" && a->identity != b->identity;
  RENKEI_RETURN_IF_ERROR(Transaction([&]() -> Status {
    RENKEI_ASSIGN_OR_RETURN(result.change, store_->NewChange());
    if (link) {
      RENKEI_RETURN_IF_ERROR(Move(result.change, {*a}, b->identity, LinkAction::kLink, actor, reason));
    } else if (decision == "keep_apart") {
      LinkEventRow e{.change = result.change, .actor = std::string(actor), .action = LinkAction::kKeepApart,
                     .registration = a->id, .from_identity = a->identity, .to_identity = b->identity,
                     .score = review->score, .breakdown = review->breakdown, .reason = std::string(reason)};
      RENKEI_RETURN_IF_ERROR(store_->AppendLinkEvent(e).status());
    }
    return store_->ResolveReview(id, decision == "link" ? ReviewStatus::kLinked : ReviewStatus::kKeptApart, actor,
                                 reason);
  }));
  if (link) linker_.SetIdentity(record_of_.at(a->id), b->identity);
  result.regional_ids = {mpi::FormatRegionalId(link ? b->identity : a->identity)};
  if (!link) result.regional_ids.push_back(mpi::FormatRegionalId(b->identity));
  return result;
}

StatusOr<std::vector<LinkEventRow>> PatientIndex::History(std::string_view regional_id, size_t limit,
                                                          int64_t before_id) {
  std::lock_guard lock(mu_);
  LinkEventQuery q;
  if (!regional_id.empty()) {
    RENKEI_ASSIGN_OR_RETURN(q.identity, mpi::ParseRegionalId(regional_id));
  }
  q.limit = limit;
  q.before_id = before_id;
  return store_->LinkEvents(q);
}

std::vector<std::string> FacilitiesOf(const CrossReference& x) {
  std::vector<std::string> out;
  for (const RegistrationRow& r : x.registrations) out.push_back(r.facility);
  return out;
}

std::vector<std::string> ConsentingFacilitiesOf(const CrossReference& x) {
  std::vector<std::string> out;
  for (const RegistrationRow& r : x.registrations) {
    if (r.consent) out.push_back(r.facility);
  }
  return out;
}

}  // namespace renkei::hub
