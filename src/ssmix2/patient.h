// Patient demographics as an SS-MIX2 ADT-00 message carries them in PID: the inputs
// the hub's patient index matches on.
#pragma once

#include <string>

#include "hl7/message.h"

namespace renkei::ssmix2 {

struct Demographics {
  std::string patient_id;   // PID-3.1, the facility's local ID
  std::string kanji_family; // PID-5 repetition with name representation code 'I' (ideographic)
  std::string kanji_given;
  std::string kana_family;  // PID-5 repetition with code 'P' (phonetic)
  std::string kana_given;
  std::string birth_date;   // PID-7, YYYYMMDD
  std::string sex;          // PID-8: M, F, O, U
  std::string postal_code;  // PID-11.5
  std::string address;      // PID-11: the free-text address (.8) or street/city/state joined
  std::string phone;        // PID-13 first number (home), else PID-14 (business)
  friend bool operator==(const Demographics&, const Demographics&) = default;
};

// Reads the demographics of the first PID segment. Absent fields stay empty.
Demographics ReadDemographics(const hl7::Message& message);

}  // namespace renkei::ssmix2
