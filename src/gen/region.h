// `renkei gen region`: a deterministic synthetic region — one SS-MIX2 standardized storage
// tree per facility, with the ground truth of which local patient IDs are the same person.
//
// Output under RegionOptions::out:
//   facilities.csv    facility_id,name,kind,folder,prefecture,city,address,phone,patient_id_digits
//                     (kind: hospital|clinic; folder: the facility's tree, relative to out)
//   patients.csv      record_id,facility,local_id,family_kanji,given_kanji,family_kana,given_kana,
//                     birth_date,sex,postal_code,address,phone — one row per registration, with
//                     the demographics of its last ADT-00 (the records format of `renkei mpi
//                     evaluate`; record_id is <facility_id>:<local_patient_id>)
//   ground_truth.csv  record_id,person_id,facility_id,local_patient_id — one row per registration
//   <facility_id>/    the facility's tree: PID[0:3]/PID[3:6]/PID/DATE/TYPE/FILE (ADT-00, ADT-12,
//                     ADT-22, ADT-52, ADT-61, PPR-01, OMP-01, OML-11, OMG-01), and discharge
//                     summaries in the extended storage (…/DATE/EXTTYPE/CONTENT/summary.txt)
// Trees are ISO-2022-JP HL7 v2.5 with CR terminators, as the NHO sample tree; the CSV tables
// (gen/tables.h) are UTF-8. `gen people` (gen/people.h) writes the same tables without the trees.
//
// Same options → byte-identical output: every value is drawn from seeded streams (random.h),
// dates end at a fixed day, never the wall clock. Generation streams person by person: memory
// does not grow with the number of patients (only per-facility counters are kept).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "base/status.h"
#include "gen/population.h"

namespace renkei::gen {

struct RegionOptions {
  PopulationOptions population;  // who lives in the region and where they are registered
  double records_per_year = 3;   // mean outpatient visits per year of a registration with chronic care
  std::string out;               // output folder
  bool force = false;            // write into a non-empty folder (replacing a previous region there)
  int writer_threads = 2;        // threads writing files, 0-16 (0: write from the generating thread)
};

struct RegionSummary {
  std::string out;
  int facilities = 0;
  int hospitals = 0;
  int64_t persons = 0;
  int64_t registrations = 0;
  int64_t multi_facility_persons = 0;
  int64_t variant_registrations = 0;  // registrations whose demographics differ from the truth
  int64_t files = 0;                  // files in the trees (messages and documents)
  int64_t bytes = 0;
  int64_t documents = 0;              // extended-storage files
  std::map<std::string, int64_t> files_by_type;  // data type code → files
  double seconds = 0;
};

struct RegionProgress {
  int64_t persons_done = 0;
  int64_t persons_total = 0;
  int64_t files = 0;
  int64_t bytes = 0;
};
using RegionProgressFn = std::function<void(const RegionProgress&)>;

// Checks the options without touching the disk. InvalidArgument names the option and value
// (the number of persons is --patients).
Status ValidateRegionOptions(const RegionOptions& options);

// Generates the region. Errors: InvalidArgument for bad options, or when `out` exists, is not
// empty and `force` is not set; ResourceExhausted when a facility's patient-ID format is too
// small for its registrations; Unavailable for I/O errors (naming the path). `progress` (may be
// null) is called about five times a second; `cancel` (may be null) stops early, and the
// summary then covers what was written.
StatusOr<RegionSummary> GenerateRegion(const RegionOptions& options, const RegionProgressFn& progress = nullptr,
                                       const std::atomic<bool>* cancel = nullptr);

}  // namespace renkei::gen
