// Request targets: the "/path?query" of an HTTP request line, decoded for routing, and the
// encoding clients use to put arbitrary text (a patient ID, a name) into one.
//
// Decoding is strict, because what it yields reaches handlers as identifiers: a path or
// query that is not what a conforming client would send is refused, not guessed at.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::http {

struct Target {
  std::string path;                               // percent-decoded, begins with '/'
  std::multimap<std::string, std::string> query;  // decoded names and values
};

// Splits `target` at the first '?' and decodes both halves. The path's %XX escapes are decoded
// ('+' stays '+'); the query is read as application/x-www-form-urlencoded: pairs separated by
// '&' (empty ones skipped), name and value split at the first '=' (a missing '=' gives an empty
// value), '+' meaning a space, then %XX escapes decoded.
// Errors, all InvalidArgument, naming a byte offset in `target` but never its content (a
// target can hold patient data and these messages reach logs):
//   "the request target must begin with '/'"           e.g. "*" or an absolute URL
//   "malformed percent-encoding at byte N"             '%' not followed by two hex digits
//   "encoded '/' at byte N: not allowed in a path"     %2F would change which route matches
//   "dot segment in the path"                          "." or ".." (decoded or not) as a segment
//   "control character at byte N"                      a decoded byte below 0x20, or 0x7F
//   "the path is not UTF-8: byte N: invalid UTF-8: ..."   N counting in the decoded path
//   "the query is not UTF-8 (the pair at byte N)"       a decoded name or value
StatusOr<Target> ParseTarget(std::string_view target);

// Percent-encodes every byte but the unreserved characters of RFC 3986 (A-Z a-z 0-9 - . _ ~),
// so the result is safe as one path segment or one query name or value.
std::string PercentEncode(std::string_view text);

}  // namespace renkei::http
