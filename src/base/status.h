// Status and StatusOr<T>: the error values that cross every module boundary in Renkei.
//
// Fallible functions return a Status (or a StatusOr<T> holding either a value or a
// non-OK Status). Both are [[nodiscard]], so an error cannot be silently ignored.
// Codes follow the canonical set used by Abseil/gRPC; the HTTP layer maps them to
// status codes in one place. Thread-compatible value types.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace renkei {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed (a bad file, a bad flag value)
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a create found the thing already there
  kFailedPrecondition,  // the system is not in a state where this can run (e.g. schema too new)
  kPermissionDenied,    // the caller may not do this
  kResourceExhausted,   // a size or count limit was hit
  kUnavailable,         // a dependency (database, file system, peer) could not be reached
  kDataLoss,            // stored data is corrupt or truncated
  kInternal,            // a bug or an invariant broken inside Renkei
};

// The lower-case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

// The code StatusCodeName gives `name` for (e.g. read back from an HTTP error body), or
// nullopt when no code has that name.
std::optional<StatusCode> StatusCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: message", or "ok".
  std::string ToString() const;

  // Returns this status with `context + ": "` put before the message (no-op when OK).
  Status Annotate(std::string_view context) const;

  // Explicitly discards a status whose failure is acceptable at the call site.
  void IgnoreError() const {}

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a T or a non-OK Status. Constructing from an OK Status is a bug (becomes kInternal).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Internal("StatusOr constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace renkei

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define RENKEI_RETURN_IF_ERROR(expr)                    \
  do {                                                  \
    if (::renkei::Status _st = (expr); !_st.ok()) return _st; \
  } while (0)

#define RENKEI_CONCAT_INNER_(a, b) a##b
#define RENKEI_CONCAT_(a, b) RENKEI_CONCAT_INNER_(a, b)
// `RENKEI_ASSIGN_OR_RETURN(auto x, F())` binds the value of a StatusOr or returns its error.
#define RENKEI_ASSIGN_OR_RETURN(lhs, expr) \
  RENKEI_ASSIGN_OR_RETURN_IMPL_(RENKEI_CONCAT_(_statusor_, __LINE__), lhs, expr)
#define RENKEI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
