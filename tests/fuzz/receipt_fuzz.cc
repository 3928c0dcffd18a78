// libFuzzer target: the whole path a receipt-computer CSV takes at the edge — decoding (UTF-8
// or CP932), CSV records, checked rows, HL7 messages, and the SS-MIX2 inspection and FHIR
// mapping of every record built. Any crash or sanitizer report is a bug, and so is a record
// the builder made from checked rows that its own SS-MIX2 inspection would quarantine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/map.h"
#include "hl7/message.h"
#include "receipt/header.h"
#include "receipt/message_builder.h"
#include "ssmix2/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace renkei;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const text::DecodedFile file = text::DecodeLines(bytes, text::Encoding::kAuto);
  text::CsvLimits limits;
  limits.max_record_bytes = 4096;
  const auto records = text::ReadCsv(file.lines, limits);
  if (records.empty()) return 0;
  auto header = receipt::Header::Read(records[0]);
  if (!header.ok()) return 0;
  std::vector<receipt::Row> rows;
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].problem != text::CsvProblem::kNone) continue;
    auto row = receipt::ReadRow(*header, records[i]);
    if (row.ok()) rows.push_back(std::move(row).value());
  }
  const ssmix2::SeverityPolicy policy;
  for (const receipt::ReceiptRecord& rec : receipt::BuildRecords(rows).records) {
    const ssmix2::Inspection ins = ssmix2::Inspect(
        ssmix2::MakePath(rec.key, rec.timestamp, rec.department, ssmix2::ConditionFlag::kValid), rec.message);
    if (policy.Quarantines(ins.defects)) __builtin_trap();
    auto message = hl7::Parse(ins.decoded);
    if (!message.ok()) __builtin_trap();
    fhir::Mapping m = fhir::MapMessage({"1234567890", rec.key, rec.timestamp, rec.department}, *message);
    (void)m;
  }
  return 0;
}
