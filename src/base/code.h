// The plain codes that name things across Renkei's tables — facility codes (a 医療機関コード, or
// a test facility's name) and regional IDs as the policy, the accounts and the directory store
// them: ASCII letters, digits, '-' and '_' only, so that they are safe in a path, a log line,
// a CSV cell or a URL segment as they are. (Certificates name facilities by pki/identity.h's
// own, wider rule.) Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace renkei {

inline constexpr size_t kMaxFacilityCode = 20;
inline constexpr size_t kMaxRegionalIdCode = 40;

// 1 to `max` of [A-Za-z0-9_-].
bool IsPlainCode(std::string_view s, size_t max);
// IsPlainCode(s, kMaxFacilityCode).
inline bool IsFacilityCode(std::string_view s) { return IsPlainCode(s, kMaxFacilityCode); }

}  // namespace renkei
