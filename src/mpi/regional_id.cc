#include "mpi/regional_id.h"

#include <fmt/format.h>

namespace renkei::mpi {
namespace {

// The Luhn check digit of a string of digits.
int LuhnDigit(std::string_view digits) {
  int sum = 0;
  bool twice = true;  // from the right, the digit next to the check digit is doubled
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return (10 - sum % 10) % 10;
}

}  // namespace

std::string FormatRegionalId(int64_t number) {
  const std::string digits = fmt::format("{:010d}", number);
  return fmt::format("RK{}{}", digits, LuhnDigit(digits));
}

StatusOr<int64_t> ParseRegionalId(std::string_view id) {
  if (id.size() != 13 || !id.starts_with("RK") || id.substr(2).find_first_not_of("0123456789") != std::string_view::npos) {
    return InvalidArgument(fmt::format("'{}' is not a regional patient ID (RK and 11 digits)", id.substr(0, 40)));
  }
  const std::string_view digits = id.substr(2, 10);
  if (LuhnDigit(digits) != id[12] - '0') {
    return InvalidArgument(fmt::format("'{}' is not a regional patient ID: its check digit is wrong", id));
  }
  int64_t n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  if (n == 0) return InvalidArgument(fmt::format("'{}' is not a regional patient ID", id));
  return n;
}

}  // namespace renkei::mpi
