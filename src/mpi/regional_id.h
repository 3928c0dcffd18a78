// Regional patient IDs: what the region calls a person across all its facilities. "RK",
// ten digits of a sequence number and a Luhn check digit (e.g. RK00000000018), so that a
// mistyped ID is rejected rather than showing another person's chart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace renkei::mpi {

// `number` is 1..9,999,999,999.
std::string FormatRegionalId(int64_t number);
// The sequence number of a regional ID; InvalidArgument for a malformed ID or a wrong check digit.
StatusOr<int64_t> ParseRegionalId(std::string_view id);

}  // namespace renkei::mpi
