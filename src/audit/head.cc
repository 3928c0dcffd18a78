#include "audit/head.h"

#include <fmt/format.h>

namespace renkei::audit {

std::string SignedText(const TreeHead& head) {
  // Keys in sorted order; every value is a number or hex, so nothing needs escaping.
  return fmt::format(R"({{"chain":"{}","log":"renkei-audit","previous":{},"size":{},"time":{}}})", Hex(head.chain),
                     head.previous, head.size, head.time_ms);
}

}  // namespace renkei::audit
