// `renkei gen people`: test data for the patient index at scale — the persons, registrations
// and recorded demographics of `gen region` with the same population options, without the
// SS-MIX2 trees or any clinical history, so that ten million registrations take minutes.
//
// Output under PeopleOptions::out (formats in gen/tables.h): facilities.csv (with an empty
// folder column: no trees), patients.csv and ground_truth.csv. patients.csv and
// ground_truth.csv are byte-identical to those `gen region` writes for the same population
// options, whatever its other options (--records-per-year, --threads) and whatever `threads`
// is here: the persons are generated in blocks on several threads and written in order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "gen/population.h"

namespace renkei::gen {

struct PeopleOptions {
  PopulationOptions population;  // who lives in the region and where they are registered
  std::string out;               // output folder
  bool force = false;            // write into a non-empty folder (replacing a previous region there)
  int threads = 2;               // threads generating persons, 1-16 (1: all on the calling thread)
};

struct PeopleSummary {
  std::string out;
  int facilities = 0;
  int hospitals = 0;
  int64_t persons = 0;
  int64_t registrations = 0;
  int64_t multi_facility_persons = 0;
  int64_t variant_registrations = 0;  // registrations whose demographics differ from the truth
  int64_t bytes = 0;                  // of patients.csv and ground_truth.csv
  double seconds = 0;
};

struct PeopleProgress {
  int64_t persons_done = 0;
  int64_t persons_total = 0;
  int64_t registrations = 0;
  int64_t bytes = 0;
};
using PeopleProgressFn = std::function<void(const PeopleProgress&)>;

// Checks the options without touching the disk. InvalidArgument names the option and value
// (the number of persons is --persons).
Status ValidatePeopleOptions(const PeopleOptions& options);

// Writes the tables. Errors: InvalidArgument for bad options, or when `out` exists, is not
// empty and `force` is not set; ResourceExhausted when a facility's patient-ID format is too
// small for its registrations; Unavailable for I/O errors (naming the path). `progress` (may
// be null) is called about five times a second on the calling thread; `cancel` (may be null)
// stops early, and the summary then covers the persons written.
StatusOr<PeopleSummary> GeneratePeople(const PeopleOptions& options, const PeopleProgressFn& progress = nullptr,
                                       const std::atomic<bool>* cancel = nullptr);

}  // namespace renkei::gen
