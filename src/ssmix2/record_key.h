// Record keys for records that reach the edge without an SS-MIX2 file name (receipt-computer
// CSV rows, FHIR resources): the checks that a patient ID and an order number must pass to
// name a record the way SS-MIX2 names files, and a stable order number derived from whatever
// identifies an item when its source gives none. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::ssmix2 {

// The order number SS-MIX2 gives patient-level records (ADT-00 and the like): one per patient.
inline constexpr std::string_view kPatientLevelOrderNumber = "999999999999999";

// The version timestamp of a record whose source says nothing about when it was made or
// changed (a patient row without a date, a FHIR Patient without meta.lastUpdated): a fixed
// "unknown" time, so that the same content always has the same version.
inline constexpr std::string_view kUnknownTimestamp = "19000101000000000";

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

// 64-bit FNV-1a of `bytes`: the same on every platform and in every run.
uint64_t StableHash(std::string_view bytes);

}  // namespace renkei::ssmix2
