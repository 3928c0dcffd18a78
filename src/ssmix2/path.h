// The SS-MIX2 path and file-name grammar.
//
// Standard storage:  PID[0:3]/PID[3:6]/PID/(YYYYMMDD|-)/TYPE/PID_DATE_TYPE_ORDERNO_TIMESTAMP_DEPT_FLAG
// Extended storage:  PID[0:3]/PID[3:6]/PID/(YYYYMMDD|-)/EXTTYPE/CONTENT/FILE
//   where EXTTYPE is "[local code]^local name^[local system]^code^name^system" and the
//   content folder CONTENT is named like a standard file (its TYPE part is the extended
//   type's code) and holds the documents and images of one record.
// Paths are given relative to the storage root, with '/' separators.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ssmix2/data_type.h"
#include "ssmix2/defect.h"

namespace renkei::ssmix2 {

// SS-MIX2 condition flag (コンディションフラグ), the last part of a file name.
enum class ConditionFlag {
  kDeleted = 0,     // the order or record was deleted at the source
  kValid = 1,       // a valid (current) record
  kSuperseded = 2,  // replaced by a later file with the same key
};
std::string_view ConditionFlagName(ConditionFlag f);  // "deleted" / "valid" / "superseded"

// Identity of a record across its versions: files with the same key are versions of
// one record, ordered by their timestamp.
struct RecordKey {
  std::string patient_id;
  std::string date;  // YYYYMMDD or "-"
  std::string data_type;
  std::string order_number;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
};

struct StoragePath {
  std::string relative;          // as given
  bool extended = false;         // extended storage (document/image content)
  // Parts of the file (or content folder) name.
  RecordKey key;
  std::string timestamp;         // YYYYMMDDHHMMSSfff
  std::string department;        // department code or "-"
  ConditionFlag flag = ConditionFlag::kValid;
  // Standard storage: the data type's description; nullptr when unknown or extended.
  const DataTypeInfo* type_info = nullptr;
  // Extended storage: the type folder decoded, the content folder and the file inside it.
  ExtendedDataType extended_type;
  std::string content_file;
};

// Parses a relative path. Never fails: what cannot be understood is reported as
// defects (kPathLayout, kFileNameGrammar, kFolderMismatch, kUnknownDataType,
// kOrderNumberLength); the fields that could be read are filled in.
StoragePath ParsePath(std::string_view relative, std::vector<Defect>* defects);

// The folder of a patient's files in standard storage, relative to the root: "001/234/0012345"
// (the ID's first three characters, the next three, the ID). Callers check the ID first: it
// must not hold '/' or be "." or "..".
std::string PatientFolder(std::string_view patient_id);

// Builds the relative path of a standard-storage file from its parts (the inverse of ParsePath).
std::string MakePath(const RecordKey& key, std::string_view timestamp, std::string_view department,
                     ConditionFlag flag);

// True when `date` is a valid calendar date YYYYMMDD.
bool IsValidDate(std::string_view date);

}  // namespace renkei::ssmix2
