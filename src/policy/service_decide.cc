#include "policy/service_decide.h"

#include <algorithm>

#include <fmt/format.h>

namespace renkei::policy {
namespace {

ServiceDecision Deny(std::string rule, std::string reason) {
  ServiceDecision d;
  d.rule = std::move(rule);
  d.reason = std::move(reason);
  return d;
}

ServiceDecision Allow(std::string rule, std::string reason, std::vector<TypeRule> types) {
  std::sort(types.begin(), types.end(), [](const TypeRule& a, const TypeRule& b) { return a.type < b.type; });
  return {true, std::move(rule), std::move(reason), std::move(types)};
}

}  // namespace

std::string_view ServicePurposeName(ServicePurpose p) {
  switch (p) {
    case ServicePurpose::kNotify: return "notify";
    case ServicePurpose::kRequest: return "request";
    case ServicePurpose::kWrite: return "write";
    case ServicePurpose::kWriteAnswer: return "write-answer";
  }
  return "?";
}

ServiceDecision DecideService(const ServiceQuestion& q) {
  if (!q.enabled) return Deny("service-disabled", fmt::format("service {} is disabled", q.service));
  if (q.purpose == ServicePurpose::kWriteAnswer && q.sender) {
    return Allow("sender",
                 fmt::format("service {} sent the write: it always receives the answer, filtered to its types", q.service),
                 q.row ? *q.row : q.sender_types);
  }
  if (!q.row) {
    return Deny("not-connected",
                fmt::format("the permission matrix does not connect facility {} and service {}", q.facility, q.service));
  }
  if (q.purpose == ServicePurpose::kWrite) {
    return Allow("matrix", fmt::format("the permission matrix connects facility {} and service {}", q.facility, q.service),
                 *q.row);
  }
  if (q.row->empty()) {
    return Deny("no-types", fmt::format("service {} may receive no data type from facility {}", q.service, q.facility));
  }
  const auto listed = [&](std::string_view type) {
    return std::any_of(q.row->begin(), q.row->end(), [&](const TypeRule& t) { return t.type == type; });
  };
  if (q.purpose == ServicePurpose::kNotify && !listed(q.changed_type)) {
    return Deny("type-not-allowed", fmt::format("service {} may not receive {} from facility {}", q.service,
                                                q.changed_type.empty() ? "(no type)" : q.changed_type, q.facility));
  }
  std::vector<TypeRule> types = *q.row;
  if (q.purpose == ServicePurpose::kRequest && !q.wanted.empty()) {
    std::erase_if(types, [&](const TypeRule& t) {
      return std::find(q.wanted.begin(), q.wanted.end(), t.type) == q.wanted.end();
    });
    if (types.empty()) {
      return Deny("type-not-allowed",
                  fmt::format("service {} may receive none of the types it asked for from facility {}", q.service, q.facility));
    }
  }
  return Allow("matrix", fmt::format("the permission matrix connects facility {} and service {}", q.facility, q.service),
               std::move(types));
}

}  // namespace renkei::policy
