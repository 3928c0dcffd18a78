// The CSV tables the generator writes, and the output folder they go in:
//   facilities.csv    facility_id,name,kind,folder,prefecture,city,address,phone,patient_id_digits
//                     (kind: hospital|clinic; folder: the facility's SS-MIX2 tree relative to the
//                     output folder, empty when no trees are written)
//   patients.csv      record_id,facility,local_id,family_kanji,given_kanji,family_kana,given_kana,
//                     birth_date,sex,postal_code,address,phone — one row per registration, with
//                     the demographics of its last ADT-00 as written (the records format of
//                     `renkei mpi evaluate`; birth_date YYYYMMDD, sex M/F, cells quoted as RFC 4180
//                     when they hold a comma, a quote or a line break)
//   ground_truth.csv  record_id,person_id,facility_id,local_patient_id — one row per registration,
//                     in the same order (the truth format of `renkei mpi evaluate`)
// record_id is <facility_id>:<local_patient_id>. Files are UTF-8 with LF line ends.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gen/facility.h"
#include "gen/person.h"

namespace renkei::gen {

// Makes `out` ready for a region: creates it when absent. InvalidArgument when it is not a
// folder, or is not empty and `force` is not set; with `force`, removes what an earlier region
// left there (its CSV files and the trees its facilities.csv lists), and nothing else.
// Unavailable for I/O errors, naming the path.
Status PrepareOutputFolder(const std::string& out, bool force);

// Writes out/facilities.csv; `with_trees` fills the folder column. Unavailable on I/O errors.
Status WriteFacilities(const std::string& out, const std::vector<Facility>& facilities, bool with_trees);

// The cells of a patients.csv row after record_id,facility,local_id: the person's birth date
// and sex and the demographics `recorded`, comma-separated, quoted where needed (no line end).
std::string DemographicCells(const Person& person, const RecordedDemographics& recorded);

// Writes patients.csv and ground_truth.csv side by side, buffered. Not thread-safe; one owner.
class RegistrationTables {
 public:
  // Creates (truncates) both files in `out` and writes their headers. Unavailable naming the path.
  static StatusOr<std::unique_ptr<RegistrationTables>> Create(const std::string& out);
  ~RegistrationTables();

  // Adds one registration: a row to each file. Returns the first write error met so far.
  Status Add(const Facility& facility, std::string_view local_id, std::string_view person_id,
             std::string_view demographic_cells);
  // Flushes and closes both files; returns the first error. Called by the destructor otherwise.
  Status Close();
  // Bytes of both files so far (written or buffered).
  int64_t bytes() const { return bytes_; }

 private:
  struct Table {
    std::string path;
    std::FILE* file = nullptr;
    std::string buffer;
  };
  RegistrationTables() = default;
  Status Open(Table& table, const std::string& path, std::string_view header);
  Status Flush(Table& table);

  Table patients_, truth_;
  int64_t bytes_ = 0;
  Status error_;  // the first failure
};

}  // namespace renkei::gen
