// The hub's master patient index service: registrations from the facilities are linked into
// identities (one per person, shown as a regional ID) by the mpi/ linker, kept durably in an
// IndexStore, and queried both ways (PIX), by demographics (PDQ) and for the facilities
// holding data (the record locator). Operators correct the linker: link, unlink, merge,
// revert, and the review queue. Every decision is in the link history with its score
// breakdown and reason.
//
// The operations map onto IHE PIXm ($ihe-pix: a local identifier → the others), PDQm (Patient
// search by name, birth date, gender, address, telecom) and the ITI-104 patient feed.
//
// Thread-safe: one mutex serialises the operations (the store's connection is single-threaded;
// the linker's scoring dominates and is fast).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "hub/index_store.h"
#include "mpi/linker.h"
#include "mpi/record.h"

namespace renkei::hub {

struct PatientIndexOptions {
  std::string store_url = "sqlite:renkei-hub.db";
  std::optional<mpi::Model> model;  // default: mpi::Model::Default()
  bool durable = true;              // each answer only once its change is durable
};

// A facility's local record, as callers name it.
struct LocalId {
  std::string facility;
  std::string local_id;
};

struct RegisterRequest {
  LocalId id;
  mpi::Demographics demographics;
  bool consent = false;  // the facility recorded the patient's consent to sharing
  std::string actor;     // who registers (a facility's credential name)
};

struct RegisterResult {
  std::string regional_id;
  std::string outcome;            // "new", "linked", "review" for a new registration; "updated"
  bool created = false;           // a new registration (not an update)
  std::optional<mpi::Score> score;  // against the best candidate
  std::optional<LocalId> matched;   // the best candidate
  int64_t review_id = 0;            // the review opened, if any
  int64_t change = 0;               // the history change recording it
};

// PIX: an identity with every local record in it.
struct CrossReference {
  std::string regional_id;
  std::string merged_from;          // the regional ID asked for, when it was merged into this one
  std::vector<RegistrationRow> registrations;
};

// The facilities of a person's registrations, in registration order (a facility twice when it
// registered the person twice): what hub::Authorize decides on.
std::vector<std::string> FacilitiesOf(const CrossReference& x);
// The facilities whose registration reported the patient's consent to sharing: the links the
// policy assumes until a consent is recorded at the hub (policy::EffectiveConsent).
std::vector<std::string> ConsentingFacilitiesOf(const CrossReference& x);

// PDQ: at least one of the names, readings, birth date or phone.
struct SearchRequest {
  mpi::Demographics demographics;  // names and readings may be prefixes
  size_t limit = 20;               // 1..100 persons
};
struct SearchHit {
  CrossReference person;
  double score = 0;  // the sum of the agreeing fields' weights: higher is a better match
};

struct ChangeResult {
  int64_t change = 0;
  std::vector<std::string> regional_ids;  // the identities the change touched, after it
};

struct ReviewDetail {
  ReviewRow review;
  RegistrationRow registration, candidate;
  std::string registration_regional_id, candidate_regional_id;
};

class PatientIndex {
 public:
  // Opens the store and loads every registration into the linker.
  static StatusOr<std::unique_ptr<PatientIndex>> Open(const PatientIndexOptions& options);

  // Registers a facility's patient, or updates the demographics of one it registered before.
  // FailedPrecondition without consent; InvalidArgument for missing or oversized fields.
  StatusOr<RegisterResult> Register(const RegisterRequest& request);
  StatusOr<CrossReference> Lookup(const LocalId& id);              // NotFound when not registered
  StatusOr<CrossReference> LookupRegional(std::string_view regional_id);
  StatusOr<std::vector<SearchHit>> Search(const SearchRequest& request);

  // Operator corrections; `reason` is required. Each is one change of the history.
  StatusOr<ChangeResult> Link(const LocalId& id, std::string_view regional_id, std::string_view actor,
                              std::string_view reason);
  StatusOr<ChangeResult> Unlink(const LocalId& id, std::string_view actor, std::string_view reason);
  StatusOr<ChangeResult> Merge(std::string_view from_regional_id, std::string_view into_regional_id,
                               std::string_view actor, std::string_view reason);
  // Undoes a change that moved registrations (link, unlink, merge, auto_link, a review's link):
  // FailedPrecondition when one of them has moved again since.
  StatusOr<ChangeResult> Revert(int64_t change, std::string_view actor, std::string_view reason);

  StatusOr<std::vector<ReviewRow>> Reviews(std::optional<ReviewStatus> status, size_t limit, int64_t after_id);
  StatusOr<ReviewDetail> Review(int64_t id);
  // `decision` is "link" or "keep_apart".
  StatusOr<ChangeResult> ResolveReview(int64_t id, std::string_view decision, std::string_view actor,
                                       std::string_view reason);
  StatusOr<std::vector<LinkEventRow>> History(std::string_view regional_id, size_t limit, int64_t before_id);

  size_t size();  // registrations held
  const mpi::Model& model() const { return model_; }

 private:
  PatientIndex(std::unique_ptr<IndexStore> store, mpi::Model model);
  Status Load();
  // The live identity a regional ID names now (following merges).
  StatusOr<int64_t> ResolveRegional(std::string_view regional_id, std::string* merged_from);
  StatusOr<RegistrationRow> Registration(const LocalId& id);
  StatusOr<CrossReference> CrossReferenceOf(int64_t identity);
  // Moves registrations to `identity` in the store and the linker, recording one row each.
  Status Move(int64_t change, const std::vector<RegistrationRow>& rows, int64_t identity, LinkAction action,
              std::string_view actor, std::string_view reason);
  void TrackInLinker(int64_t registration, const mpi::Features& features, int64_t identity);
  // Runs `body` in a store transaction, rolling back on error.
  Status Transaction(const std::function<Status()>& body);

  std::mutex mu_;
  std::unique_ptr<IndexStore> store_;
  mpi::Model model_;
  mpi::Linker linker_;
  // The linker's record of each registration, and back; a registration whose demographics
  // changed gets a new record, the old one is retired (identity -1).
  std::unordered_map<int64_t, uint32_t> record_of_;
  std::vector<int64_t> registration_of_;
};

// The normalised keys a registration is searched by.
SearchKeys KeysOf(const mpi::Features& f);

}  // namespace renkei::hub
