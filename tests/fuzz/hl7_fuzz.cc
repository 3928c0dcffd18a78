// libFuzzer target: the whole path a file takes at the edge — charset decoding honouring
// MSH-18, HL7 parsing, re-encoding, and the SS-MIX2 inspection. Any crash, sanitizer
// report or broken round trip is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hl7/charset.h"
#include "hl7/message.h"
#include "ssmix2/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto text = renkei::hl7::DecodeMessageText(bytes);
  if (text.ok()) {
    auto message = renkei::hl7::Parse(*text);
    if (message.ok()) {
      // Encode(Parse(x)) parses again to the same text: the encoder round-trips.
      std::string encoded = renkei::hl7::Encode(*message);
      auto again = renkei::hl7::Parse(encoded);
      if (!again.ok() || renkei::hl7::Encode(*again) != encoded) __builtin_trap();
      for (size_t i = 0; i < message->segment_count(); ++i) {
        auto seg = message->segment(i);
        for (int f = 1; f <= seg.field_count() && f < 40; ++f) {
          std::string v = message->GetAt(i, f, 2, 2, 2);
          (void)v;
        }
      }
    }
  }
  // The raw bytes straight into the parser too (no charset step), and the full inspection.
  (void)renkei::hl7::Parse(std::string(bytes));
  (void)renkei::ssmix2::Inspect(
      "999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1", bytes);
  return 0;
}
