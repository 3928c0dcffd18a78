// The SS-MIX2 standardized-storage data types (データ種別) and what each one implies:
// the HL7 message type it carries, whether its date folder is "-", and which message
// field holds the date that names its date folder.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace renkei::ssmix2 {

// A field reference "SEG-n" (component 1 of repetition 1).
struct FieldRef {
  std::string_view segment;
  int field;
};

struct DataTypeInfo {
  std::string_view code;           // "OMP-01"
  std::string_view name_ja;        // "処方オーダ"
  std::string_view message_code;   // MSH-9.1, e.g. "RDE"
  std::vector<std::string_view> trigger_events;  // accepted MSH-9.2 (the first is the normal one; the others cancel it)
  bool undated = false;            // the date folder must be "-" (patient-level data)
  // The date folder must equal the first of these fields that is present (YYYYMMDD prefix).
  std::vector<FieldRef> date_fields;
};

// Every standard data type of SS-MIX2 (ADT, PPR, OMD, OMP, OML, OMG).
std::span<const DataTypeInfo> StandardDataTypes();
// The standard data type with this code, or nullptr.
const DataTypeInfo* FindDataType(std::string_view code);

// An extended-storage (拡張ストレージ) data type folder:
// "[local code]^local name^[local system]^standard code^standard name^standard system".
struct ExtendedDataType {
  std::string local_code;
  std::string local_name;
  std::string local_system;
  std::string standard_code;
  std::string standard_name;
  std::string standard_system;
  // The code that names this type in a content folder name: the standard code when
  // given, else the local one.
  const std::string& code() const { return standard_code.empty() ? local_code : standard_code; }
  // The display name: the standard name when given, else the local one.
  const std::string& name() const { return standard_name.empty() ? local_name : standard_name; }
};

// True when a type folder name has the extended-storage form (contains '^').
bool IsExtendedTypeFolder(std::string_view folder);

}  // namespace renkei::ssmix2
