// The region's facilities as the hub knows them: each one's code (医療機関コード), name, kind,
// address and phone — what the portals show instead of ten-digit codes, kept by the region's
// operators (`renkei hub facility import|add`, POST /v1/facilities). Not patient data; every
// signed-in caller may read it.
//
// Thread-safe: one connection, guarded by a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "sql/sql.h"

namespace renkei::hub {

struct Facility {
  std::string code;        // 1-20 of [A-Za-z0-9_-]: the facility code every other table uses
  std::string name;        // 1-200 characters, e.g. "丸の内医療センター"
  std::string kind;        // hospital, clinic, pharmacy, vault (a patient's own) or other
  std::string prefecture;  // these four: up to 200 characters each, may be empty
  std::string city;
  std::string address;
  std::string phone;
  std::string updated_at;  // UTC ISO 8601, set by the directory
};

class FacilityDirectory {
 public:
  // Opens "sqlite:PATH" or "postgresql://…" (tables of its own beside the index) and applies
  // pending migrations (history in facility_schema_migrations).
  static StatusOr<std::unique_ptr<FacilityDirectory>> Open(std::string_view url);

  // Adds the facility, or replaces what is known of it; returns it as stored. InvalidArgument
  // naming the field that is malformed (code, name, kind, a text over 200 characters, text
  // that is not UTF-8 or holds control characters).
  StatusOr<Facility> Put(Facility f);
  // Every facility, by code.
  StatusOr<std::vector<Facility>> List();
  // The facility of `code`, or nullopt.
  StatusOr<std::optional<Facility>> Get(std::string_view code);

 private:
  explicit FacilityDirectory(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}

  std::mutex mutex_;
  std::unique_ptr<sql::SqlConnection> db_;  // guarded by mutex_
};

// A facility as the API and `renkei hub facility list` show it: {"facility" (the code), "name",
// "kind", "prefecture", "city", "address", "phone", "updated_at"}.
nlohmann::json FacilityJson(const Facility& f);

// Reads the facilities of a region's facilities.csv (as `renkei gen region` writes it: a header
// naming at least facility_id and name, optionally kind, prefecture, city, address, phone; RFC 4180
// quoting). InvalidArgument naming the line for a row that does not fit.
StatusOr<std::vector<Facility>> ReadFacilitiesCsv(std::string_view text);

}  // namespace renkei::hub
