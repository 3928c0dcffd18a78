#include "mpi/similarity.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

namespace renkei::mpi {
namespace {

// A fixed-size array that lives on the stack when it is short (a name), on the heap otherwise,
// so that comparing two names allocates nothing.
template <typename T, size_t kInline>
class Scratch {
 public:
  explicit Scratch(size_t size) : size_(size) {
    if (size > kInline) heap_ = std::make_unique<T[]>(size);
  }
  T* data() { return heap_ ? heap_.get() : inline_; }
  const T* data() const { return heap_ ? heap_.get() : inline_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  size_t size() const { return size_; }
  void shrink(size_t size) { size_ = size; }

 private:
  T inline_[kInline];
  std::unique_ptr<T[]> heap_;
  size_t size_;
};

using CodePoints = Scratch<char32_t, 64>;

// The code points of UTF-8 `s`, each ill-formed sequence as U+FFFD.
CodePoints Decode(std::string_view s) {
  CodePoints out(s.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    UChar32 c;
    U8_NEXT_OR_FFFD(bytes, i, s.size(), c);
    out[n++] = static_cast<char32_t>(c);
  }
  out.shrink(n);
  return out;
}

bool Equal(const CodePoints& a, const CodePoints& b) {
  return a.size() == b.size() && std::equal(a.data(), a.data() + a.size(), b.data());
}

}  // namespace

double JaroWinkler(std::string_view a_text, std::string_view b_text) {
  const CodePoints a = Decode(a_text);
  const CodePoints b = Decode(b_text);
  if (Equal(a, b)) return 1.0;
  if (a.size() == 0 || b.size() == 0) return 0.0;

  const size_t window = std::max(a.size(), b.size()) / 2 > 0 ? std::max(a.size(), b.size()) / 2 - 1 : 0;
  // b's code points with their positions, sorted, so that the candidates for a[i] (the same
  // code point within the window) are found by binary search rather than a scan of the window.
  Scratch<std::pair<char32_t, size_t>, 64> index(b.size());
  for (size_t j = 0; j < b.size(); ++j) index[j] = {b[j], j};
  std::sort(index.data(), index.data() + b.size());
  // For each run of one code point in `index` (keyed by where the run starts), how many of its
  // entries are taken. Each a[i] takes the first free position of its run that is not before
  // the window; as the window only moves right, the taken positions are always the run's
  // first entries at or after the window start, so a count per run suffices.
  Scratch<size_t, 64> next_free(b.size());
  Scratch<bool, 64> a_matched(a.size()), b_matched(b.size());
  std::fill(next_free.data(), next_free.data() + b.size(), 0);
  std::fill(a_matched.data(), a_matched.data() + a.size(), false);
  std::fill(b_matched.data(), b_matched.data() + b.size(), false);

  const auto* begin = index.data();
  const auto* end = index.data() + b.size();
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t low = i > window ? i - window : 0;
    const size_t high = i + window;  // inclusive
    const auto* run = std::lower_bound(begin, end, std::pair<char32_t, size_t>{a[i], 0});
    if (run == end || run->first != a[i]) continue;
    const auto* candidate = std::lower_bound(run, end, std::pair<char32_t, size_t>{a[i], low});
    candidate = std::max(candidate, run + next_free[run - begin]);
    if (candidate == end || candidate->first != a[i] || candidate->second > high) continue;
    next_free[run - begin] = static_cast<size_t>(candidate - run) + 1;
    a_matched[i] = true;
    b_matched[candidate->second] = true;
    ++matches;
  }
  if (matches == 0) return 0.0;

  // Transpositions: matched code points that differ when both sides are read in order.
  size_t half_transpositions = 0;
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!a_matched[i]) continue;
    while (!b_matched[j]) ++j;
    if (a[i] != b[j]) ++half_transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / a.size() + m / b.size() + (m - half_transpositions / 2.0) / m) / 3.0;

  size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

int BoundedEditDistance(std::string_view a_text, std::string_view b_text, int max) {
  const CodePoints a_points = Decode(a_text);
  const CodePoints b_points = Decode(b_text);
  // The common prefix and suffix cost nothing; set them aside.
  const char32_t* a = a_points.data();
  const char32_t* b = b_points.data();
  size_t n = a_points.size(), m = b_points.size();
  while (n > 0 && m > 0 && *a == *b) ++a, ++b, --n, --m;
  while (n > 0 && m > 0 && a[n - 1] == b[m - 1]) --n, --m;
  if (n > m) std::swap(a, b), std::swap(n, m);  // a is the shorter

  if (max < 0) max = 0;
  // The distance is at most m, so a larger bound changes nothing (and m + 1 cannot overflow).
  const size_t bound = std::min(static_cast<size_t>(max), m);
  if (m - n > bound) return max + 1;
  if (n == 0) return static_cast<int>(m);

  // Ukkonen's band: only cells within `bound` of the diagonal can stay within the bound; the
  // cells just outside it hold `over`.
  const size_t over = bound + 1;
  Scratch<size_t, 64> prev_row(n + 1), cur_row(n + 1);
  size_t* prev = prev_row.data();
  size_t* cur = cur_row.data();
  for (size_t j = 0; j <= n; ++j) prev[j] = std::min(j, over);
  for (size_t i = 1; i <= m; ++i) {
    const size_t low = i > bound ? i - bound : 1;
    const size_t high = std::min(n, i + bound);
    cur[low - 1] = low == 1 ? std::min(i, over) : over;
    size_t row_min = cur[low - 1];
    for (size_t j = low; j <= high; ++j) {
      const size_t substitute = prev[j - 1] + (b[i - 1] == a[j - 1] ? 0 : 1);
      const size_t value = std::min({substitute, prev[j] + 1, cur[j - 1] + 1, over});
      cur[j] = value;
      row_min = std::min(row_min, value);
    }
    if (high < n) cur[high + 1] = over;
    if (row_min > bound) return max + 1;
    std::swap(prev, cur);
  }
  return prev[n] > bound ? max + 1 : static_cast<int>(prev[n]);
}

}  // namespace renkei::mpi
