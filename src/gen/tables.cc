#include "gen/tables.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "gen/calendar.h"
#include "gen/catalog.h"
#include "text/csv.h"

namespace renkei::gen {
namespace {

namespace fs = std::filesystem;

constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

Status PrepareOutputFolder(const std::string& out, bool force) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) return InvalidArgument(fmt::format("--out {} exists and is not a folder", out));
    if (!fs::is_empty(out, ec)) {
      if (!force) {
        return InvalidArgument(fmt::format(
            "--out {} exists and is not empty; choose another folder or pass --force to replace a region there", out));
      }
      // Only what a region wrote: the trees its facilities.csv lists (a plain folder name, never
      // a path that leads elsewhere) and its CSV files.
      std::ifstream in(out + "/facilities.csv");
      std::string line;
      bool header = true;
      while (std::getline(in, line)) {
        if (header) {
          header = false;
          continue;
        }
        std::vector<std::string> cols;
        std::stringstream ss(line);
        for (std::string col; std::getline(ss, col, ',');) cols.push_back(col);
        if (cols.size() < 4 || cols[3].empty() || cols[3].find('/') != std::string::npos || cols[3] == "." ||
            cols[3] == "..") {
          continue;
        }
        fs::remove_all(fs::path(out) / cols[3], ec);
        if (ec) return Unavailable(fmt::format("cannot remove {}/{}: {}", out, cols[3], ec.message()));
      }
      for (const char* name : {"facilities.csv", "patients.csv", "ground_truth.csv"}) {
        fs::remove(fs::path(out) / name, ec);
        if (ec) return Unavailable(fmt::format("cannot remove {}/{}: {}", out, name, ec.message()));
      }
    }
  }
  fs::create_directories(out, ec);
  if (ec) return Unavailable(fmt::format("cannot create {}: {}", out, ec.message()));
  return Status::Ok();
}

Status WriteFacilities(const std::string& out, const std::vector<Facility>& facilities, bool with_trees) {
  std::ofstream f(out + "/facilities.csv", std::ios::binary);
  f << "facility_id,name,kind,folder,prefecture,city,address,phone,patient_id_digits\n";
  for (const Facility& fac : facilities) {
    const Town& t = Towns()[fac.town];
    f << fmt::format("{},{},{},{},{},{},{},{},{}\n", fac.id, fac.name, fac.hospital ? "hospital" : "clinic",
                     with_trees ? fac.id : "", t.prefecture, t.city, fac.address, fac.phone, fac.patient_id_digits);
  }
  f.close();
  if (!f) return Unavailable(fmt::format("cannot write {}/facilities.csv", out));
  return Status::Ok();
}

std::string DemographicCells(const Person& person, const RecordedDemographics& r) {
  std::string row;
  row.reserve(160);
  for (std::string_view cell : {std::string_view(r.kanji_family), std::string_view(r.kanji_given),
                                std::string_view(r.kana_family), std::string_view(r.kana_given)}) {
    text::AppendCsvCell(row, cell);
    row += ',';
  }
  row += Yyyymmdd(person.birth_day);
  row += ',';
  row += person.sex;
  for (std::string_view cell :
       {std::string_view(r.postal_code), std::string_view(r.address), std::string_view(r.phone)}) {
    row += ',';
    text::AppendCsvCell(row, cell);
  }
  return row;
}

StatusOr<std::unique_ptr<RegistrationTables>> RegistrationTables::Create(const std::string& out) {
  std::unique_ptr<RegistrationTables> tables(new RegistrationTables());
  RENKEI_RETURN_IF_ERROR(tables->Open(
      tables->patients_, out + "/patients.csv",
      "record_id,facility,local_id,family_kanji,given_kanji,family_kana,given_kana,birth_date,sex,postal_code,"
      "address,phone\n"));
  RENKEI_RETURN_IF_ERROR(
      tables->Open(tables->truth_, out + "/ground_truth.csv", "record_id,person_id,facility_id,local_patient_id\n"));
  return tables;
}

RegistrationTables::~RegistrationTables() { Close().IgnoreError(); }

Status RegistrationTables::Open(Table& table, const std::string& path, std::string_view header) {
  table.path = path;
  table.file = std::fopen(path.c_str(), "wb");
  if (!table.file) return Unavailable(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  table.buffer.reserve(kFlushBytes + 4096);
  table.buffer = header;
  bytes_ += static_cast<int64_t>(header.size());
  return Status::Ok();
}

Status RegistrationTables::Flush(Table& table) {
  if (!table.file || table.buffer.empty()) return Status::Ok();
  if (std::fwrite(table.buffer.data(), 1, table.buffer.size(), table.file) != table.buffer.size()) {
    return Unavailable(fmt::format("cannot write {}: {}", table.path, std::strerror(errno)));
  }
  table.buffer.clear();
  return Status::Ok();
}

Status RegistrationTables::Add(const Facility& facility, std::string_view local_id, std::string_view person_id,
                               std::string_view demographic_cells) {
  if (!error_.ok()) return error_;
  const size_t patients_before = patients_.buffer.size(), truth_before = truth_.buffer.size();
  for (std::string* row : {&patients_.buffer, &truth_.buffer}) {
    *row += facility.id;
    *row += ':';
    *row += local_id;
    *row += ',';
  }
  patients_.buffer += facility.id;
  patients_.buffer += ',';
  patients_.buffer += local_id;
  patients_.buffer += ',';
  patients_.buffer += demographic_cells;
  patients_.buffer += '\n';
  truth_.buffer += person_id;
  truth_.buffer += ',';
  truth_.buffer += facility.id;
  truth_.buffer += ',';
  truth_.buffer += local_id;
  truth_.buffer += '\n';
  bytes_ += static_cast<int64_t>(patients_.buffer.size() - patients_before + truth_.buffer.size() - truth_before);
  for (Table* t : {&patients_, &truth_}) {
    if (t->buffer.size() >= kFlushBytes) {
      error_ = Flush(*t);
      if (!error_.ok()) return error_;
    }
  }
  return Status::Ok();
}

Status RegistrationTables::Close() {
  for (Table* t : {&patients_, &truth_}) {
    if (!t->file) continue;
    Status s = error_.ok() ? Flush(*t) : error_;
    if (std::fclose(t->file) != 0 && s.ok()) {
      s = Unavailable(fmt::format("cannot write {}: {}", t->path, std::strerror(errno)));
    }
    t->file = nullptr;
    if (error_.ok()) error_ = s;
  }
  return error_;
}

}  // namespace renkei::gen
