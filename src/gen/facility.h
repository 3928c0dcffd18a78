// The facilities of a synthetic region: hospitals and clinics with a 医療機関コード-like ID,
// a Japanese name, an address, their doctors, their patient-ID format and their recording
// habits. Made once per region from the seed; small (one entry per facility).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "gen/person.h"

namespace renkei::gen {

struct Practitioner {
  std::string id;      // the facility's staff code, e.g. "D0123"
  std::string family;  // kanji
  std::string given;
};

struct Facility {
  int index = 0;
  std::string id;                  // 10 digits: prefecture (2), 1 (medical), 7 digits
  std::string name;                // "登呂市民病院"
  bool hospital = false;           // hospital (admissions, imaging) or clinic
  int town = 0;                    // index into Towns()
  std::string address;             // "静岡県静岡市駿河区登呂3-1-1"
  std::string phone;
  std::string sending_application; // MSH-3
  int patient_id_digits = 8;       // 7-10: every local ID has this many digits
  uint64_t id_multiplier = 1;      // local IDs are a bijection of registration numbers
  uint64_t id_offset = 0;
  RecordingHabits habits;
  std::vector<std::string> departments;           // SS-MIX2 department codes it has
  std::vector<std::vector<Practitioner>> doctors; // per department, parallel to `departments`

  // The local patient ID of the n-th (0-based) registration: distinct for distinct n below
  // 10^patient_id_digits, and scattered so that it does not reveal the order.
  std::string LocalPatientId(uint64_t n) const;
  // Capacity of the ID format.
  uint64_t MaxPatients() const;
  // A doctor of the department (or of internal medicine when the facility lacks it), and the
  // department code actually used.
  const Practitioner& DoctorFor(std::string_view department, uint64_t choice, std::string* used) const;
};

// `count` facilities of which `hospitals` are hospitals, all in different towns where possible.
std::vector<Facility> MakeFacilities(uint64_t seed, int count, int hospitals);

}  // namespace renkei::gen
