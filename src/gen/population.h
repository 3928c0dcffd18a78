// The region's population: which facilities each synthetic person is registered at, from when,
// and what each registration recorded about them. Shared by `gen region` (which goes on to
// write each registration's SS-MIX2 tree) and `gen people` (which writes only the tables), so
// that both give the same persons, registrations and recorded demographics for the same
// options. Pure: everything is drawn from seeded streams (random.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gen/calendar.h"
#include "gen/facility.h"
#include "gen/person.h"
#include "gen/random.h"

namespace renkei::gen {

// The options that decide the population; `gen region` and `gen people` both take them.
struct PopulationOptions {
  int facilities = 5;            // 1..1000
  int hospitals = -1;            // how many of them are hospitals; -1: half, rounded up
  int64_t persons = 2000;        // 1..100,000,000
  int years = 5;                 // length of the history, 1..50
  uint64_t seed = 1;
  double multi_facility = 0.4;   // share of persons registered at more than one facility
  std::string end_date = "2026-10-31";  // the last day of the history (YYYY-MM-DD or YYYYMMDD)

  // The number of hospitals, -1 resolved.
  int HospitalCount() const { return hospitals >= 0 ? hospitals : (facilities + 1) / 2; }
};

// Checks the options. InvalidArgument names the option and the value; the persons count is
// named `persons_flag` ("--patients" for gen region, "--persons" for gen people).
Status ValidatePopulationOptions(const PopulationOptions& options, std::string_view persons_flag);

// The `years` years of history up to and including the end date. The options must be valid.
Window HistoryWindow(const PopulationOptions& options);

// One registration of a person, before its local patient ID is given.
struct PlannedRegistration {
  size_t facility = 0;         // index into the region's facilities
  int64_t registered_day = 0;  // the first may predate the history; later ones start within it
  int64_t last_day = 0;        // the last day the facility sees the person
};

// Chooses the facilities a person attends: hospitals draw more patients than clinics, and
// people mostly go to facilities in their own prefecture. Constant after construction, so one
// chooser may serve several threads. Keeps a reference to `facilities`.
class FacilityChooser {
 public:
  explicit FacilityChooser(const std::vector<Facility>& facilities);

  // The person's registrations, the first at their primary facility, drawn from the person's
  // own stream (StreamKind::kHistory, person.index): independent of every other person.
  std::vector<PlannedRegistration> Plan(uint64_t seed, const Person& person, const Window& window,
                                        double multi_facility) const;

 private:
  const std::vector<Facility>& facilities_;
  std::vector<std::vector<int>> weights_by_town_;  // per town of the catalog: a weight per facility
};

// Gives each facility's local patient IDs in order of registration (Facility::LocalPatientId).
// Keeps a reference to `facilities`. Not thread-safe: IDs are given in person order.
class LocalIdAssigner {
 public:
  explicit LocalIdAssigner(const std::vector<Facility>& facilities)
      : facilities_(facilities), registrations_(facilities.size(), 0) {}

  // The next local patient ID of facility `facility` (an index into the facilities).
  // ResourceExhausted when the facility's ID format has no IDs left.
  StatusOr<std::string> Next(size_t facility);

 private:
  const std::vector<Facility>& facilities_;
  std::vector<uint64_t> registrations_;  // per facility: IDs given so far
};

// The stream of one registration: its recording draws (RecordRegistration) first, then, in
// `gen region`, its encounters.
Rng RegistrationStream(uint64_t seed, size_t facility, int64_t person_index);

// A moment of `day` between first_hour:00 and last_hour:59:59.999: four draws from `rng`.
Moment MomentOn(Rng& rng, int64_t day, int first_hour, int last_hour);

// What a registration's ADT-00 messages carry: the demographics recorded at registration and,
// when the facility learned of a marriage or a move during the registration, the updated record.
struct RegistrationRecord {
  struct Update {
    Moment sent = 0;
    RecordedDemographics demographics;
  };
  Moment registered = 0;  // when the first ADT-00 was sent
  RecordedDemographics at_registration;
  std::optional<Update> update;
  RecordingVariants variants;  // how the latest record differs from the truth

  // The demographics of the registration's last ADT-00.
  const RecordedDemographics& latest() const { return update ? update->demographics : at_registration; }
};

// Draws a registration's record from its stream (RegistrationStream), which is left where the
// encounters begin. The primary registration is recorded faithfully; others may carry variants.
RegistrationRecord RecordRegistration(const Person& person, const RecordingHabits& habits, bool primary,
                                      int64_t registered_day, int64_t last_day, Rng& stream);

}  // namespace renkei::gen
