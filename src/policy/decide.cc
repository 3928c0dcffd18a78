#include "policy/decide.h"

#include <algorithm>

#include <fmt/format.h>

namespace renkei::policy {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

Decision Deny(std::string rule, std::string reason) {
  Decision d;
  d.rule = std::move(rule);
  d.reason = std::move(reason);
  return d;
}

std::vector<std::string> SortedUnique(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  return list;
}

}  // namespace

Decision Decide(const Question& q, const Facts& facts) {
  if (q.who.role == RequesterRole::kPatient) {
    if (!Contains(q.who.acts_for, q.regional_id)) {
      return Deny("not-own-record", "a patient or proxy sees only the records of the patients they are");
    }
    Decision d;
    d.allowed = true;
    d.rule = "own-record";
    d.reason = "the patient's own record, from every facility holding data";
    d.facilities = SortedUnique(q.registered_at);
    return d;
  }
  if (q.who.role == RequesterRole::kOperator) {
    return Deny("operator", "operators run the region; they do not see clinical data");
  }
  if (q.who.role == RequesterRole::kStaff) {
    return Deny("staff", "reception staff register patients and record consent; they do not see clinical data");
  }
  if (q.who.role == RequesterRole::kService) {
    return Deny("service", "services receive a facility's data through the service gateway's permission matrix, not the "
                           "regional chart");
  }
  if (q.who.facility.empty() || !Contains(q.registered_at, q.who.facility)) {
    return Deny("no-relationship", fmt::format("facility {} has not registered this patient", q.who.facility));
  }
  const std::vector<std::string> holders = SortedUnique(q.registered_at);
  if (facts.override && facts.override->requester == q.who.name && facts.override->regional_id == q.regional_id &&
      q.now_ms < facts.override->until_ms) {
    Decision d;
    d.allowed = true;
    d.rule = "break-glass";
    d.reason = fmt::format("{} declared an emergency (override {}); every facility holding data", q.who.name,
                           facts.override->id);
    d.basis = facts.override->id;
    d.facilities = holders;
    return d;
  }
  switch (facts.consent.state) {
    case Consent::State::kWithdrawn:
      return Deny("withdrawn", "the patient has withdrawn consent to the exchange");
    case Consent::State::kNone:
      return Deny("no-consent", "the patient has not consented to the exchange");
    case Consent::State::kActive:
      break;
  }
  if (!Contains(facts.consent.linked, q.who.facility)) {
    return Deny("not-linked", fmt::format("the patient has not linked facility {}", q.who.facility));
  }
  Decision d;
  d.allowed = true;
  d.rule = "consent";
  d.reason = fmt::format("the patient linked facility {} under consent {}", q.who.facility, facts.consent.id);
  d.basis = facts.consent.id;
  for (const std::string& f : holders) {
    if (Contains(facts.consent.linked, f)) {
      d.facilities.push_back(f);
    } else {
      d.withheld.push_back({f, "the patient has not linked this facility"});
    }
  }
  return d;
}

std::string_view EffectName(const Decision& d) { return d.allowed ? "allow" : "deny"; }

}  // namespace renkei::policy
