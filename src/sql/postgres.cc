// The PostgreSQL implementation of SqlConnection (sql.h), on libpq.
//
// Statements given to Query() are prepared on the server once per connection, cached by
// their text, and run with PQexecPrepared. Parameters travel in text format except Blobs,
// which travel in binary format so that any byte survives; results come back in text
// format and are converted by column type (bytea → Blob, int2/int4/int8 → int64_t, NULL →
// monostate, anything else → its text). The client encoding is forced to UTF8.
//
// Error messages never contain the connection URI nor its password: libpq quotes parts of
// a malformed URI in its errors, so the password is cut out of every message we return.
//
// Ownership: a PostgresConnection owns its PGconn (closed in the destructor); every
// PGresult is owned by a PgResult and freed on every path. Thread-compatible.

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"
#include "sql/sql.h"

namespace renkei::sql {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat; these are fixed for built-in types.
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

constexpr int kTextFormat = 0;
constexpr int kBinaryFormat = 1;

constexpr std::string_view kUniqueViolation = "23505";

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;

struct PgResultFreer {
  void operator()(PGresult* result) const { PQclear(result); }
};
// One libpq result; null when libpq could not even build one (out of memory, no connection).
using PgResult = std::unique_ptr<PGresult, PgResultFreer>;

// libpq's messages end in a newline and may span lines ("...failed: ...\n\tIs the server
// running...?"); a Status message is one line, so line breaks and the indentation after
// them become one space.
std::string OneLine(std::string_view message) {
  std::string out;
  bool in_break = false;
  for (char c : message) {
    if (c == '\n' || c == '\r' || (in_break && (c == '\t' || c == ' '))) {
      in_break = true;
      continue;
    }
    if (in_break && !out.empty()) out.push_back(' ');
    in_break = false;
    out.push_back(c);
  }
  return out;
}

// Decodes %XX escapes as libpq does for URIs; anything malformed is kept as written.
std::string PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The passwords a reader of `uri` would see in it, decoded: the one between "://user:" and
// the last '@' of the authority, and every "password=" value. This is deliberately naive;
// it is compared with what libpq parsed to detect URIs that libpq reads differently (for
// example an unescaped '/' in the password), whose errors could quote password fragments.
std::vector<std::string> PasswordsAsWritten(std::string_view uri) {
  std::vector<std::string> out;
  if (size_t scheme_end = uri.find("://"); scheme_end != std::string_view::npos) {
    std::string_view rest = uri.substr(scheme_end + 3);
    std::string_view before_query = rest.substr(0, rest.find('?'));
    if (size_t at = before_query.rfind('@'); at != std::string_view::npos) {
      std::string_view userinfo = before_query.substr(0, at);
      if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
        out.push_back(PercentDecode(userinfo.substr(colon + 1)));
      }
    }
  }
  constexpr std::string_view kKey = "password=";
  for (size_t pos = uri.find(kKey); pos != std::string_view::npos; pos = uri.find(kKey, pos + 1)) {
    std::string_view value = uri.substr(pos + kKey.size());
    value = value.substr(0, value.find_first_of("& \t\r\n"));
    out.push_back(PercentDecode(value));
  }
  return out;
}

// What libpq makes of a connection string before connecting.
struct ParsedUri {
  bool ok = false;
  std::string error;     // libpq's parse error when !ok; may quote the password
  std::string password;  // the password option when ok, "" when there is none
};

ParsedUri ParseUri(const std::string& uri) {
  ParsedUri out;
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &parse_error);
  if (parse_error != nullptr) {
    out.error = parse_error;
    PQfreemem(parse_error);
  }
  if (options == nullptr) {
    if (out.error.empty()) out.error = "out of memory";
    return out;
  }
  out.ok = true;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) out.password = o->val;
  }
  PQconninfoFree(options);
  return out;
}

// Replaces every occurrence of each non-empty secret in `message` with "********".
std::string Redact(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = message.find(secret); pos != std::string::npos; pos = message.find(secret, pos)) {
      message.replace(pos, secret.size(), "********");
      pos += 8;
    }
  }
  return message;
}

// libpq prints server notices (e.g. "relation already exists, skipping") to stderr by
// default; Renkei's logs are structured, so they are dropped here.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

class PostgresConnection : public SqlConnection {
 public:
  explicit PostgresConnection(PgConnPtr conn) : conn_(std::move(conn)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Execute(std::string_view sql) override {
    PgResult result(PQexec(conn_.get(), std::string(sql).c_str()));
    switch (const ExecStatusType status = ResultStatus(result)) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        return Status::Ok();
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        return AbandonCopy(status);
      default:
        return ErrorStatus(result.get());
    }
  }

  StatusOr<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    RENKEI_ASSIGN_OR_RETURN(const std::string* statement, Prepare(sql));

    // Text parameters need NUL-terminated storage; Blobs are sent from their own bytes.
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), kTextFormat);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& param = params[i];
      if (const auto* n = std::get_if<int64_t>(&param)) {
        text[i] = std::to_string(*n);
        values[i] = text[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&param)) {
        // PostgreSQL text cannot hold NUL, and a text parameter would be cut at it silently.
        if (s->find('\0') != std::string::npos) {
          return InvalidArgument("parameter $" + std::to_string(i + 1) + " is text containing a NUL byte");
        }
        values[i] = s->c_str();
      } else if (const auto* blob = std::get_if<Blob>(&param)) {
        // libpq takes an int length; the server's own limit for a bytea is 1 GB.
        if (blob->bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
          return ResourceExhausted("parameter $" + std::to_string(i + 1) + " is a blob larger than 2 GB");
        }
        values[i] = blob->bytes.data();
        lengths[i] = static_cast<int>(blob->bytes.size());
        formats[i] = kBinaryFormat;
      }  // monostate stays a null pointer, which libpq sends as SQL NULL
    }

    PgResult result(PQexecPrepared(conn_.get(), statement->c_str(), static_cast<int>(params.size()),
                                   values.data(), lengths.data(), formats.data(), kTextFormat));
    switch (const ExecStatusType status = ResultStatus(result)) {
      case PGRES_TUPLES_OK:
        return ReadRows(result.get());
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
        return std::vector<SqlRow>{};
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        return AbandonCopy(status);
      default:
        return ErrorStatus(result.get());
    }
  }

 private:
  static ExecStatusType ResultStatus(const PgResult& result) {
    return result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result.get());
  }

  // The server-side name of the prepared statement for `sql`, preparing it on first use.
  StatusOr<const std::string*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return &it->second;
    std::string name = "renkei_" + std::to_string(statements_.size() + 1);
    // No parameter types: the server infers them from the statement.
    PgResult result(PQprepare(conn_.get(), name.c_str(), key.c_str(), 0, nullptr));
    if (ResultStatus(result) != PGRES_COMMAND_OK) return ErrorStatus(result.get());
    return &statements_.emplace(std::move(key), std::move(name)).first->second;
  }

  // Converts every row of a PGRES_TUPLES_OK result.
  static StatusOr<std::vector<SqlRow>> ReadRows(const PGresult* result) {
    const int rows = PQntuples(result);
    const int columns = PQnfields(result);
    std::vector<SqlRow> out;
    out.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<SqlValue> values;
      values.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        RENKEI_ASSIGN_OR_RETURN(SqlValue value, ReadValue(result, r, c));
        values.push_back(std::move(value));
      }
      out.emplace_back(std::move(values));
    }
    return out;
  }

  static StatusOr<SqlValue> ReadValue(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column)) return SqlValue(std::monostate{});
    const char* text = PQgetvalue(result, row, column);
    const int length = PQgetlength(result, row, column);
    switch (PQftype(result, column)) {
      case kByteaOid: {
        size_t size = 0;
        unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
        if (bytes == nullptr) return Internal("out of memory decoding a bytea column");
        Blob blob{std::string(reinterpret_cast<const char*>(bytes), size)};
        PQfreemem(bytes);
        return SqlValue(std::move(blob));
      }
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid: {
        int64_t n = 0;
        auto [end, error] = std::from_chars(text, text + length, n);
        if (error != std::errc() || end != text + length) {
          return Internal("PostgreSQL returned a malformed integer in column " + std::to_string(column + 1));
        }
        return SqlValue(n);
      }
      default:
        return SqlValue(std::string(text, length));
    }
  }

  // Leaves the COPY state a statement put the connection in, so that it stays usable.
  // COPY FROM STDIN / TO STDOUT needs a streaming interface that SqlConnection does not have.
  Status AbandonCopy(ExecStatusType copy_state) {
    PGconn* conn = conn_.get();
    if (copy_state == PGRES_COPY_IN) {
      // Makes the server fail the COPY, which rolls it back.
      if (PQputCopyEnd(conn, "COPY FROM STDIN is not supported by SqlConnection") < 0) {
        return Unavailable("PostgreSQL connection lost during COPY");
      }
    } else {
      char* buffer = nullptr;
      while (PQgetCopyData(conn, &buffer, /*async=*/0) > 0) PQfreemem(buffer);
    }
    while (PgResult(PQgetResult(conn)) != nullptr) {
    }
    if (PQstatus(conn) != CONNECTION_OK) return Unavailable("PostgreSQL connection lost during COPY");
    return InvalidArgument("COPY FROM STDIN / TO STDOUT is not supported by SqlConnection");
  }

  // The Status for a failed statement (see sql.h for the codes).
  Status ErrorStatus(const PGresult* result) const {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      return Unavailable("PostgreSQL connection lost: " +
                         Redact(OneLine(PQerrorMessage(conn_.get())), {Password()}));
    }
    const char* sqlstate = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* primary = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    if (sqlstate == nullptr || primary == nullptr) {
      // A client-side failure (out of memory, a protocol problem): libpq has no SQLSTATE.
      std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get());
      return Internal("libpq: " + Redact(OneLine(message), {Password()}));
    }
    std::string message = std::string(primary) + " (SQLSTATE " + sqlstate + ")";
    if (sqlstate == kUniqueViolation) return AlreadyExists(std::move(message));
    return InvalidArgument(std::move(message));
  }

  std::string Password() const {
    const char* password = PQpass(conn_.get());
    return password == nullptr ? std::string() : std::string(password);
  }

  PgConnPtr conn_;
  // SQL text → server-side prepared statement name. Prepared statements survive ROLLBACK.
  std::unordered_map<std::string, std::string> statements_;
};

}  // namespace

StatusOr<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& uri) {
  const std::vector<std::string> written_passwords = PasswordsAsWritten(uri);
  const ParsedUri parsed = ParseUri(uri);
  if (!parsed.ok) {
    if (!written_passwords.empty()) {
      return InvalidArgument(
          "malformed PostgreSQL connection URI (libpq's message is withheld because the URI contains "
          "a password)");
    }
    return InvalidArgument("malformed PostgreSQL connection URI: " + OneLine(parsed.error));
  }

  // expand_dbname makes libpq read `uri` as a full connection string; the keywords after
  // it override what the URI says, so the session is always UTF8.
  const char* const keywords[] = {"dbname", "client_encoding", nullptr};
  const char* const values[] = {uri.c_str(), "UTF8", nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) return Internal("libpq could not allocate a connection");

  if (PQstatus(conn.get()) != CONNECTION_OK) {
    // When libpq reads the password differently from how it is written (an unescaped '/'
    // or '@' in it), its message may quote a fragment of it that no exact match would
    // catch: give no detail then.
    for (const std::string& written : written_passwords) {
      if (written != parsed.password) {
        return Unavailable(
            "cannot connect to PostgreSQL (libpq's message is withheld because the URI's password is "
            "not where libpq expects it; percent-encode '/', '@', '?' and ':' in it)");
      }
    }
    std::vector<std::string> secrets = written_passwords;
    secrets.push_back(parsed.password);
    if (const char* password = PQpass(conn.get()); password != nullptr) secrets.emplace_back(password);
    return Unavailable("cannot connect to PostgreSQL: " +
                       Redact(OneLine(PQerrorMessage(conn.get())), secrets));
  }

  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  if (std::string_view(pg_encoding_to_char(PQclientEncoding(conn.get()))) != "UTF8") {
    return Internal("PostgreSQL did not accept client_encoding UTF8");
  }
  return std::unique_ptr<SqlConnection>(std::make_unique<PostgresConnection>(std::move(conn)));
}

}  // namespace renkei::sql
