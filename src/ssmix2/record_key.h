// Record keys for records that reach the edge without an SS-MIX2 file name (receipt-computer
// CSV rows, FHIR resources): the checks that a patient ID and an order number must pass to
// name a record the way SS-MIX2 names files, and a stable order number derived from whatever
// identifies an item when its source gives none. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::ssmix2 {

// The order number SS-MIX2 gives patient-level records (ADT-00 and the like): one per patient.
inline constexpr std::string_view kPatientLevelOrderNumber = "999999999999999";

// A local patient ID usable in a record key and a storage path: 1 to 64 characters, each an
// ASCII letter, digit or '-'. Errors: kInvalidArgument saying which character or length is wrong.
Status CheckPatientId(std::string_view patient_id);

// An order number as given by a source (1 to 15 ASCII letters, digits or '-'), left-padded
// with '0' to the 15 characters SS-MIX2 file names carry ("11000185" → "000000011000185").
// Errors: kInvalidArgument for an empty, longer or otherwise malformed number.
StatusOr<std::string> NormalizeOrderNumber(std::string_view order_number);

// 15 decimal digits that depend only on `seed` (a 64-bit FNV-1a hash, reduced), for items
// whose source gives no order number: the same seed always yields the same number.
std::string DerivedOrderNumber(std::string_view seed);

}  // namespace renkei::ssmix2
