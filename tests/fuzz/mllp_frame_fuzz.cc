// libFuzzer target: the MLLP frame decoder on whatever a TCP peer might send. The first byte
// picks the read size. The decoder must never crash, must keep every message within its limit
// and free of framing bytes, and must still read a good frame sent after anything.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mllp/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr size_t kLimit = 256;
  const size_t chunk = 1 + data[0] % 128;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  renkei::mllp::FrameDecoder decoder(kLimit);
  auto drain = [&decoder](bool expect_good_last) {
    std::optional<renkei::mllp::FrameEvent> last;
    while (auto event = decoder.Next()) {
      if (event->status.ok() &&
          (event->bytes.size() > kLimit || event->bytes.find_first_of(std::string_view("\x0b\x1c", 2)) != std::string::npos)) {
        __builtin_trap();
      }
      if (event->bytes.size() > renkei::mllp::FrameDecoder::kOversizedHeadBytes) __builtin_trap();
      last = std::move(event);
    }
    if (expect_good_last && (!last || !last->status.ok() || last->bytes != "MSH|ok")) __builtin_trap();
  };
  for (size_t i = 0; i < stream.size(); i += chunk) {
    decoder.Feed(stream.substr(i, chunk));
    drain(false);
  }
  decoder.Feed(std::string_view("\x1c\x0bMSH|ok\x1c\r", 10));
  drain(true);
  decoder.Finish();
  drain(false);
  return 0;
}
