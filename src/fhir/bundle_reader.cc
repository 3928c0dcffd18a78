#include "fhir/bundle_reader.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "fhir/coding.h"
#include "fhir/json_text.h"
#include "fhir/patient_demographics.h"
#include "fhir/summary.h"
#include "fhir/v2.h"
#include "ssmix2/record_key.h"

namespace renkei::fhir {
namespace {

using nlohmann::json;
using ssmix2::DefectKind;

constexpr std::string_view kSupported[] = {
    "Patient",          "Encounter",   "Condition",        "AllergyIntolerance", "MedicationRequest",
    "MedicationAdministration", "Observation", "DiagnosticReport", "ServiceRequest",     "DocumentReference",
    "QuestionnaireResponse"};

bool Supported(std::string_view type) {
  return std::find(std::begin(kSupported), std::end(kSupported), type) != std::end(kSupported);
}

// The element that names a resource's patient.
std::string_view SubjectField(std::string_view type) { return type == "AllergyIntolerance" ? "patient" : "subject"; }

// What a contained copy of a resource is called in the reference to it.
std::string DisplayOf(const json& r) {
  if (std::string name = JsonText(r, "name"); !name.empty()) return name;  // Organization, Location
  if (r.contains("name") && r["name"].is_array() && !r["name"].empty()) {
    const json& n = r["name"][0];
    if (std::string t = JsonText(n, "text"); !t.empty()) return t;
    std::string given = n.contains("given") && n["given"].is_array() && !n["given"].empty() && n["given"][0].is_string()
                            ? n["given"][0].get<std::string>() : "";
    std::string family = JsonText(n, "family");
    return family.empty() || given.empty() ? family + given : family + " " + given;
  }
  if (r.contains("code") && r["code"].is_object()) {
    if (std::string t = JsonText(r["code"], "text"); !t.empty()) return t;
    if (r["code"].contains("coding") && r["code"]["coding"].is_array() && !r["code"]["coding"].empty()) {
      return JsonText(r["code"]["coding"][0], "display");
    }
  }
  return {};
}

// Turns every reference inside a contained copy into display text: a contained resource
// cannot point further.
void FlattenReferences(json& node) {
  if (node.is_object()) {
    if (auto it = node.find("reference"); it != node.end() && it->is_string()) {
      if (JsonText(node, "display").empty()) node["display"] = it->get<std::string>();
      node.erase("reference");
    }
    for (auto& [k, v] : node.items()) FlattenReferences(v);
  } else if (node.is_array()) {
    for (json& v : node) FlattenReferences(v);
  }
}

class Reader {
 public:
  Reader(const json& bundle, std::string_view facility) : bundle_(bundle), facility_(facility) {}

  BundleRead Read() {
    BundleRead out;
    out.type = JsonText(bundle_, "type");
    static const json kNoEntries = json::array();
    const json& entries = bundle_.contains("entry") ? bundle_["entry"] : kNoEntries;
    for (size_t i = 0; i < entries.size(); ++i) entries_.push_back({&entries[i], nullptr, "", ""});
    out_.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) Shape(i);
    for (size_t i = 0; i < out_.size(); ++i) {
      if (Accepted(i) && out_[i].resource_type == "Patient") ResolvePatient(i);
    }
    for (size_t i = 0; i < out_.size(); ++i) {
      if (Accepted(i) && out_[i].resource_type != "Patient") ResolveSubject(i);
    }
    for (size_t i = 0; i < out_.size(); ++i) {
      if (Accepted(i)) Key(i);
    }
    for (size_t i = 0; i < out_.size(); ++i) {
      if (Accepted(i)) Build(i);
    }
    out.entries = std::move(out_);
    return out;
  }

 private:
  struct Slot {
    const json* entry;
    const json* resource;
    std::string patient_id;  // accepted resources: the local patient ID
    std::string reference;   // accepted resources: "Type/new id"
  };

  bool Accepted(size_t i) const { return out_[i].outcome == EntryOutcome::kAccepted; }
  std::string At(size_t i, std::string_view path = "") const {
    return fmt::format("/entry/{}{}{}", i, path.empty() ? "" : "/", path);
  }
  void Reject(size_t i, DefectKind kind, std::string pointer, std::string reason) {
    out_[i].outcome = EntryOutcome::kRejected;
    out_[i].defect = kind;
    out_[i].pointer = std::move(pointer);
    out_[i].reason = std::move(reason);
  }

  // The entry's shape, and the names other entries may use for it.
  void Shape(size_t i) {
    const json& entry = *entries_[i].entry;
    BundleEntry& e = out_[i];
    e.index = i;
    e.raw_entry = entry.dump(-1, ' ', false, json::error_handler_t::replace);
    if (!entry.is_object()) return Reject(i, DefectKind::kUploadSyntax, At(i), "the entry is not a JSON object");
    if (!entry.contains("resource")) return Reject(i, DefectKind::kUploadSyntax, At(i, "resource"), "the entry has no resource");
    const json& r = entry["resource"];
    entries_[i].resource = &r;
    e.resource_type = JsonText(r, "resourceType");
    if (!r.is_object() || e.resource_type.empty()) {
      return Reject(i, DefectKind::kUploadSyntax, At(i, "resource/resourceType"), "the resource has no resourceType");
    }
    const std::string full_url = JsonText(entry, "fullUrl"), id = JsonText(r, "id");
    e.source = !full_url.empty() ? full_url : id.empty() ? "" : e.resource_type + "/" + id;
    for (const std::string& name : {full_url, id.empty() ? "" : e.resource_type + "/" + id}) {
      if (name.empty()) continue;
      auto [it, inserted] = names_.emplace(name, i);
      if (!inserted && it->second != i) {
        return Reject(i, DefectKind::kUploadSyntax, At(i, full_url == name ? "fullUrl" : "resource/id"),
                      fmt::format("'{}' also names entry {}", name, it->second));
      }
    }
    // An absolute fullUrl ".../Patient/123" also answers to "Patient/123".
    if (const size_t at = full_url.rfind("/" + e.resource_type + "/"); at != std::string::npos && !full_url.starts_with("urn:")) {
      names_.emplace(full_url.substr(at + 1), i);
    }
    // The store marks versions in meta and lifecycles in extension: they must have their FHIR shapes.
    for (auto [key, object] : {std::pair{"meta", true}, std::pair{"extension", false}}) {
      if (r.contains(key) && (object ? !r[key].is_object() : !r[key].is_array())) {
        return Reject(i, DefectKind::kUploadSyntax, At(i, std::string("resource/") + key),
                      fmt::format("{} must be {}", key, object ? "an object" : "an array"));
      }
    }
    const std::string method = entry.contains("request") ? JsonText(entry["request"], "method") : "";
    if (!method.empty() && method != "POST" && method != "PUT") {
      return Reject(i, DefectKind::kInvalidValue, At(i, "request/method"),
                    fmt::format("request method {} is not supported by uploads (send the resource, e.g. with status "
                                "entered-in-error, with POST or PUT)", method));
    }
    if (!Supported(e.resource_type)) {
      e.outcome = EntryOutcome::kSkipped;
      e.reason = fmt::format("{} is not kept on its own; resources that refer to it contain a copy", e.resource_type);
      return;
    }
    e.outcome = EntryOutcome::kAccepted;
  }

  void ResolvePatient(size_t i) {
    const json& r = *entries_[i].resource;
    const json& ids = r.contains("identifier") ? r["identifier"] : json();
    const std::string system = PatientIdSystem(facility_);
    std::optional<size_t> chosen;
    if (ids.is_array()) {
      for (size_t k = 0; k < ids.size() && !chosen; ++k) {
        if (JsonText(ids[k], "system") == system && !JsonText(ids[k], "value").empty()) chosen = k;
      }
      for (size_t k = 0; k < ids.size() && !chosen; ++k) {
        if (!JsonText(ids[k], "value").empty()) chosen = k;
      }
    }
    if (!chosen) {
      return Reject(i, DefectKind::kInvalidValue, At(i, "resource/identifier"),
                    "the Patient has no identifier with a value to take the local patient ID from");
    }
    const std::string id = JsonText(ids[*chosen], "value");
    if (Status s = ssmix2::CheckPatientId(id); !s.ok()) {
      return Reject(i, DefectKind::kInvalidValue, At(i, fmt::format("resource/identifier/{}/value", *chosen)), s.message());
    }
    if (auto [it, inserted] = patients_.emplace(id, i); !inserted && *entries_[it->second].resource != r) {
      return Reject(i, DefectKind::kInvalidValue, At(i, fmt::format("resource/identifier/{}/value", *chosen)),
                    fmt::format("entry {} is another Patient with local ID {}", it->second, id));
    }
    entries_[i].patient_id = id;
    entries_[i].reference = "Patient/" + PatientEntityId(id);
  }

  // The entry a reference names, if any ("Type/id/_history/n" names "Type/id").
  std::optional<size_t> Target(std::string reference) const {
    if (const size_t h = reference.find("/_history/"); h != std::string::npos) reference.resize(h);
    auto it = names_.find(reference);
    if (it == names_.end()) return std::nullopt;
    return it->second;
  }

  void ResolveSubject(size_t i) {
    const json& r = *entries_[i].resource;
    const std::string field(SubjectField(out_[i].resource_type));
    const std::string where = "resource/" + field;
    if (!r.contains(field) || !r[field].is_object()) {
      return Reject(i, DefectKind::kUnresolvedReference, At(i, where),
                    fmt::format("the resource has no {}: every resource must belong to a patient", field));
    }
    const json& subject = r[field];
    if (const std::string ref = JsonText(subject, "reference"); !ref.empty()) {
      auto j = Target(ref);
      if (!j) {
        return Reject(i, DefectKind::kUnresolvedReference, At(i, where + "/reference"),
                      fmt::format("'{}' is not an entry of the bundle", ref));
      }
      if (out_[*j].resource_type != "Patient") {
        return Reject(i, DefectKind::kUnresolvedReference, At(i, where + "/reference"),
                      fmt::format("'{}' is a {}, not a Patient", ref, out_[*j].resource_type));
      }
      if (!Accepted(*j)) {
        return Reject(i, DefectKind::kUnresolvedReference, At(i, where + "/reference"),
                      fmt::format("its patient, entry {}, was rejected: {}", *j, out_[*j].reason));
      }
      entries_[i].patient_id = entries_[*j].patient_id;
      return;
    }
    const std::string value = subject.contains("identifier") ? JsonText(subject["identifier"], "value") : "";
    if (value.empty()) {
      return Reject(i, DefectKind::kUnresolvedReference, At(i, where),
                    fmt::format("{} has neither a reference nor an identifier", field));
    }
    if (JsonText(subject["identifier"], "system") != PatientIdSystem(facility_)) {
      return Reject(i, DefectKind::kUnresolvedReference, At(i, where + "/identifier/system"),
                    fmt::format("the patient identifier is not in this facility's patient ID system {}",
                                PatientIdSystem(facility_)));
    }
    if (Status s = ssmix2::CheckPatientId(value); !s.ok()) {
      return Reject(i, DefectKind::kInvalidValue, At(i, where + "/identifier/value"), s.message());
    }
    entries_[i].patient_id = value;
  }

  // The record key, version timestamp and new reference of an accepted entry.
  void Key(size_t i) {
    const json& r = *entries_[i].resource;
    BundleEntry& e = out_[i];
    const std::string& patient = entries_[i].patient_id;
    std::string clinical;  // 14 digits, or ""
    if (e.resource_type == "Patient") {
      e.key = {patient, "-", "FHIR-Patient", std::string(ssmix2::kPatientLevelOrderNumber)};
    } else {
      if (auto event = SummarizeResource(r)) clinical = event->sort_key;
      std::string seed = "content|" + r.dump(-1, ' ', false, json::error_handler_t::replace);
      const json& ids = r.contains("identifier") ? r["identifier"] : json();
      const json& first = ids.is_array() && !ids.empty() ? ids[0] : ids;
      if (!JsonText(first, "value").empty()) seed = "identifier|" + JsonText(first, "system") + "|" + JsonText(first, "value");
      else if (!JsonText(r, "id").empty()) seed = "id|" + JsonText(r, "id");
      e.key = {patient, clinical.empty() ? "-" : clinical.substr(0, 8), "FHIR-" + e.resource_type,
               ssmix2::DerivedOrderNumber(seed)};
      entries_[i].reference = e.resource_type + "/" + EntityId(e.key, 0);
    }
    const auto updated = JapanTimeOf(JsonText(r.contains("meta") ? r["meta"] : json(), "lastUpdated"));
    if (updated) e.timestamp = *v2::SortKey(*updated) + "000";
    else if (!clinical.empty()) e.timestamp = clinical + "000";
    else e.timestamp = ssmix2::kUnknownTimestamp;
    e.raw_resource = r.dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string identity = fmt::format("{}|{}|{}|{}|{}", e.key.patient_id, e.key.date, e.key.data_type,
                                             e.key.order_number, e.timestamp);
    auto [it, inserted] = identities_.emplace(identity, i);
    if (!inserted && out_[it->second].raw_resource != e.raw_resource) {
      Reject(i, DefectKind::kInvalidValue, At(i, "resource"),
             fmt::format("entry {} is the same record (same patient, date and identifier) with other content", it->second));
    }
  }

  // Rewrites the references under `node` (at JSON pointer `pointer`); the first that cannot
  // stand is reported in `error`.
  struct Rewrite {
    std::vector<json> contained;
    std::vector<size_t> contained_from;
    std::vector<std::string> notes;
    std::string error, error_pointer;
  };

  void RewriteReference(json& ref, const std::string& pointer, Rewrite& w) {
    const std::string reference = ref["reference"].get<std::string>();
    if (reference.starts_with("#")) return;
    const auto j = Target(reference);
    if (j && Accepted(*j)) {
      ref["reference"] = entries_[*j].reference;
      return;
    }
    if (j && out_[*j].outcome == EntryOutcome::kSkipped) {
      const std::string id = fmt::format("c{}", *j);
      if (std::find(w.contained_from.begin(), w.contained_from.end(), *j) == w.contained_from.end()) {
        json copy = *entries_[*j].resource;
        copy.erase("contained");
        FlattenReferences(copy);
        copy["id"] = id;
        w.contained.push_back(std::move(copy));
        w.contained_from.push_back(*j);
      }
      ref["reference"] = "#" + id;
      if (JsonText(ref, "display").empty()) {
        if (std::string display = DisplayOf(*entries_[*j].resource); !display.empty()) ref["display"] = display;
      }
      return;
    }
    if (!j && (reference.starts_with("urn:uuid:") || reference.starts_with("urn:oid:"))) {
      if (w.error.empty()) {
        w.error = fmt::format("'{}' is not an entry of the bundle", reference);
        w.error_pointer = pointer;
      }
      return;
    }
    // Outside the bundle, or a rejected entry: what the reference said stays, as text.
    w.notes.push_back(fmt::format("{}: '{}' is {}; kept as display text", pointer, reference,
                                  j ? fmt::format("entry {}, which was rejected", *j) : "not in the bundle"));
    if (JsonText(ref, "display").empty()) ref["display"] = reference;
    ref.erase("reference");
  }

  void Walk(json& node, const std::string& pointer, Rewrite& w) {
    if (node.is_object()) {
      if (auto it = node.find("reference"); it != node.end() && it->is_string()) {
        RewriteReference(node, pointer + "/reference", w);
      }
      for (auto& [k, v] : node.items()) Walk(v, pointer + "/" + PointerToken(k), w);
    } else if (node.is_array()) {
      for (size_t k = 0; k < node.size(); ++k) Walk(node[k], fmt::format("{}/{}", pointer, k), w);
    }
  }

  void Build(size_t i) {
    BundleEntry& e = out_[i];
    const std::string& patient = entries_[i].patient_id;
    json r = *entries_[i].resource;
    const std::string id = entries_[i].reference.substr(entries_[i].reference.find('/') + 1);
    r["id"] = id;
    if (r.contains("meta") && r["meta"].is_object()) r["meta"].erase("versionId");
    Rewrite w;
    Walk(r, At(i, "resource"), w);
    if (!w.error.empty()) return Reject(i, DefectKind::kUnresolvedReference, w.error_pointer, w.error);
    if (!w.contained.empty()) {
      if (!r.contains("contained") || !r["contained"].is_array()) r["contained"] = json::array();
      for (json& c : w.contained) r["contained"].push_back(std::move(c));
    }
    e.notes = std::move(w.notes);
    if (e.resource_type == "Patient") {
      json& ids = r["identifier"];
      const std::string system = PatientIdSystem(facility_);
      const bool has = std::any_of(ids.begin(), ids.end(), [&](const json& x) { return JsonText(x, "system") == system; });
      if (!has) ids.insert(ids.begin(), json{{"system", system}, {"value", patient}});
      e.demographics = PatientDemographics(r, patient);
    } else {
      json& subject = r[std::string(SubjectField(e.resource_type))];
      subject["reference"] = "Patient/" + PatientEntityId(patient);
    }
    std::optional<Event> event = SummarizeResource(r);
    if (event && event->sort_key.empty()) {
      event->sort_key = e.timestamp.substr(0, 14);
      event->occurred_at = v2::DateTime(event->sort_key).value_or("");
    }
    Entity entity{e.resource_type, id, std::move(r)};
    if (event) event->entity_refs = {entity.Reference()};
    e.mapping.entities.push_back(std::move(entity));
    e.mapping.event = std::move(event);
  }

  const json& bundle_;
  std::string facility_;
  std::vector<Slot> entries_;
  std::vector<BundleEntry> out_;
  std::map<std::string, size_t> names_;       // fullUrl and Type/id → entry
  std::map<std::string, size_t> identities_;  // record key and timestamp → entry
  std::map<std::string, size_t> patients_;    // local patient ID → its first Patient entry
};

}  // namespace

StatusOr<BundleRead> ReadBundle(std::string_view text, std::string_view facility_id, const BundleLimits& limits) {
  RENKEI_ASSIGN_OR_RETURN(json bundle, ParseJsonText(text, limits.max_depth));
  if (!bundle.is_object()) return InvalidArgument("not a FHIR Bundle: the JSON is not an object");
  const std::string type = JsonText(bundle, "resourceType");
  if (type != "Bundle") {
    return InvalidArgument(fmt::format("not a FHIR Bundle: /resourceType is '{}'",
                                       bundle.contains("resourceType") ? bundle["resourceType"].dump() : "absent"));
  }
  const std::string bundle_type = JsonText(bundle, "type");
  if (bundle_type != "transaction" && bundle_type != "batch" && bundle_type != "collection") {
    return InvalidArgument(fmt::format("/type is '{}'; an upload is a transaction, batch or collection Bundle",
                                       bundle_type.empty() ? "absent" : bundle_type));
  }
  if (bundle.contains("entry") && !bundle["entry"].is_array()) return InvalidArgument("/entry is not an array");
  if (bundle.contains("entry") && bundle["entry"].size() > limits.max_entries) {
    return InvalidArgument(fmt::format("the Bundle has {} entries; at most {}", bundle["entry"].size(), limits.max_entries));
  }
  return Reader(bundle, facility_id).Read();
}

}  // namespace renkei::fhir
