// Receipt-computer rows → HL7 v2.5 messages of the matching SS-MIX2 data types, each with the
// record key and version timestamp it is kept under, so that an uploaded row becomes a record
// exactly as an SS-MIX2 file would (and is mapped to FHIR and the event line by the same code):
//   patient      → ADT-00 (ADT^A08): PID-5 kanji 姓^名^^^^^L^I and kana セイ^メイ^^^^^L^P, PID-7/8/11/13
//   visit        → ADT-12 (ADT^A04): PV1 with the department, the doctor and the visit time
//   diagnosis    → PPR-01 (PPR^ZD1): PRB-3 MEDIS ^MDCDX2, PRB-10 ICD-10 ^^I10, ORC with doctor and department
//   prescription → OMP-01 (RDE^O11): per drug ORC, RXE, TQ1 (JAMI usage, days) and RXR, as the
//                  NHO sample's OMP-01; the rows of one order (same patient, date and order
//                  number) are one message.
// Keys and messages depend only on the rows' content, so the same file uploaded again yields
// byte-identical records (docs/receipt-csv.md gives the rules). Pure.
#pragma once

#include <string>
#include <vector>

#include "receipt/row.h"
#include "ssmix2/path.h"

namespace renkei::receipt {

struct ReceiptRecord {
  ssmix2::RecordKey key;
  std::string timestamp;   // the version's YYYYMMDDHHMMSSfff
  std::string department;  // department code, or "-"
  std::string message;     // HL7 v2.5 text in UTF-8 (MSH-18 "UNICODE UTF-8"), segments ended by CR
  std::vector<int> lines;  // the first line of every row it was built from
};

// Rows that cannot become a record although each was valid on its own (rows of one order
// that disagree, two rows that would be the same record with different content).
struct RowFailure {
  int line = 0;
  std::string message;  // "line 13: ..."
};

struct BuildResult {
  std::vector<ReceiptRecord> records;  // in the order of their first rows
  std::vector<RowFailure> failures;    // in line order
};

BuildResult BuildRecords(const std::vector<Row>& rows);

}  // namespace renkei::receipt
