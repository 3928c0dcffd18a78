#include "gen/population.h"

#include <algorithm>

#include <fmt/format.h>

#include "gen/catalog.h"

namespace renkei::gen {

Status ValidatePopulationOptions(const PopulationOptions& o, std::string_view persons_flag) {
  if (o.facilities < 1 || o.facilities > 1000) {
    return InvalidArgument(fmt::format("--facilities must be between 1 and 1000 (got {})", o.facilities));
  }
  if (o.hospitals < -1 || o.hospitals > o.facilities) {
    return InvalidArgument(fmt::format("--hospitals must be between 0 and --facilities ({}) (got {})", o.facilities,
                                       o.hospitals));
  }
  if (o.persons < 1 || o.persons > 100'000'000) {
    return InvalidArgument(fmt::format("{} must be between 1 and 100000000 (got {})", persons_flag, o.persons));
  }
  if (o.years < 1 || o.years > 50) return InvalidArgument(fmt::format("--years must be between 1 and 50 (got {})", o.years));
  if (!(o.multi_facility >= 0 && o.multi_facility <= 1)) {
    return InvalidArgument(fmt::format("--multi-facility must be between 0 and 1 (got {})", o.multi_facility));
  }
  auto end = ParseDay(o.end_date);
  if (!end.ok()) return end.status().Annotate("--end-date");
  return Status::Ok();
}

Window HistoryWindow(const PopulationOptions& o) {
  const int64_t end_day = *ParseDay(o.end_date);
  const CivilDate e = CivilFromDays(end_day);
  return {DaysFromCivil(e.year - o.years, e.month, e.month == 2 && e.day == 29 ? 28 : e.day) + 1, end_day};
}

FacilityChooser::FacilityChooser(const std::vector<Facility>& facilities) : facilities_(facilities) {
  for (const Town& t : Towns()) {
    std::vector<int>& w = weights_by_town_.emplace_back();
    for (const Facility& f : facilities) {
      w.push_back((f.hospital ? 3 : 2) * (Towns()[f.town].prefecture == t.prefecture ? 4 : 1));
    }
  }
}

std::vector<PlannedRegistration> FacilityChooser::Plan(uint64_t seed, const Person& person, const Window& window,
                                                       double multi_facility) const {
  Rng rng = Rng::For(seed, StreamKind::kHistory, static_cast<uint64_t>(person.index));
  int k = 1;
  if (rng.Chance(multi_facility)) k = rng.Chance(0.3) ? (rng.Chance(0.3) ? 4 : 3) : 2;
  k = std::min(k, static_cast<int>(facilities_.size()));
  std::vector<PlannedRegistration> plan;
  const std::vector<int>& weights = weights_by_town_[static_cast<size_t>(person.address.town)];
  while (static_cast<int>(plan.size()) < k) {
    const size_t f = rng.Weighted(weights);
    if (std::none_of(plan.begin(), plan.end(), [&](const PlannedRegistration& p) { return p.facility == f; })) {
      plan.push_back({f, 0, 0});
    }
  }
  const int64_t born = person.birth_day + 1;
  for (size_t j = 0; j < plan.size(); ++j) {
    int64_t registered = j == 0 ? rng.Between(window.first_day - 3 * 365, window.last_day - 30)
                                : rng.Between(window.first_day, window.last_day - 14);
    registered = std::clamp(registered, born, window.last_day);
    int64_t last = window.last_day;
    if (j > 0 && rng.Chance(0.5)) last = rng.Between(std::min(registered + 30, window.last_day), window.last_day);
    plan[j].registered_day = registered;
    plan[j].last_day = last;
  }
  return plan;
}

StatusOr<std::string> LocalIdAssigner::Next(size_t facility) {
  const Facility& f = facilities_[facility];
  uint64_t& n = registrations_[facility];
  if (n >= f.MaxPatients()) {
    return ResourceExhausted(fmt::format("facility {} has {}-digit patient IDs and cannot register more than {}", f.id,
                                         f.patient_id_digits, f.MaxPatients()));
  }
  return f.LocalPatientId(n++);
}

Rng RegistrationStream(uint64_t seed, size_t facility, int64_t person_index) {
  return Rng::For(seed ^ Mix64(facility + 1), StreamKind::kHistory, static_cast<uint64_t>(person_index));
}

Moment MomentOn(Rng& rng, int64_t day, int first_hour, int last_hour) {
  // One draw per statement: the order of evaluation of function arguments is unspecified, and
  // the output must not depend on the compiler.
  const int hour = static_cast<int>(rng.Between(first_hour, last_hour));
  const int minute = static_cast<int>(rng.Below(60));
  const int second = static_cast<int>(rng.Below(60));
  const int ms = static_cast<int>(rng.Below(1000));
  return MomentOf(day, hour, minute, second, ms);
}

RegistrationRecord RecordRegistration(const Person& person, const RecordingHabits& habits, bool primary,
                                      int64_t registered_day, int64_t last_day, Rng& stream) {
  RegistrationRecord out;
  const Rng record_rng(stream.Next());  // copied for the update below, which repeats the same variants
  Rng first_rng = record_rng;
  out.at_registration = Record(person, registered_day, habits, primary, first_rng, &out.variants);
  out.registered = MomentOn(stream, registered_day, 8, 8);
  // Was the record updated after a marriage or a move during this registration?
  int64_t update_day = -1;
  for (int64_t event : {person.maiden_family ? person.marriage_day : int64_t{-1},
                        person.previous_address ? person.move_day : int64_t{-1}}) {
    if (event > registered_day && event < last_day && stream.Chance(0.6)) update_day = std::max(update_day, event);
  }
  if (update_day > 0) {
    const int64_t day = std::min(last_day, update_day + stream.Between(1, 60));
    Rng again = record_rng;
    RegistrationRecord::Update update;
    update.demographics = Record(person, day, habits, primary, again, &out.variants);
    update.sent = MomentOn(stream, day, 9, 15);  // in outpatient hours
    out.update = std::move(update);
  }
  return out;
}

}  // namespace renkei::gen
