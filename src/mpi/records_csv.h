// The record lists of `renkei mpi evaluate`: registrations and the ground truth, as CSV.
//
// Registrations: a header row, then one registration per row. Columns are found by their
// header name (any order, surrounding spaces ignored, unknown columns ignored): record_id
// (required), facility, local_id, family_kanji, given_kanji, family_kana, given_kana,
// birth_date (YYYYMMDD), sex (M/F/U), postal_code, address, phone, identifier. Empty cells are
// allowed. FEBRL files (rec_id, given_name, surname, street_number, address_1, address_2,
// suburb, postcode, state, date_of_birth, soc_sec_id) are recognised by their header and read
// as they are: the surname and given name as written names, the street address, suburb and
// state as the address, soc_sec_id as the shared identifier, the file's name as the facility.
//
// Truth: a header row with record_id and person_id (further columns ignored). For FEBRL the
// truth follows from the record IDs: rec-N-org and rec-N-dup-K are person N.
//
// UTF-8 or CP932 text. Errors (InvalidArgument) name the file, line and problem.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "mpi/record.h"

namespace renkei::mpi {

struct RecordList {
  std::vector<Registration> records;
  bool febrl = false;  // read from a FEBRL file
};

// `name` is the file's name for messages and, for FEBRL, the facility.
StatusOr<RecordList> ParseRecordList(std::string_view bytes, std::string_view name);
StatusOr<RecordList> ReadRecordList(const std::string& path);

// record_id → person_id.
using Truth = std::unordered_map<std::string, std::string>;
StatusOr<Truth> ParseTruth(std::string_view bytes, std::string_view name);
StatusOr<Truth> ReadTruth(const std::string& path);

// The person of a FEBRL record ID ("rec-12-dup-3" → "12"); "" when it is not one.
std::string FebrlPerson(std::string_view record_id);

}  // namespace renkei::mpi
