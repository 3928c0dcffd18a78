#include "text/iso2022jp.h"

#include <unicode/ucnv.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace renkei::text {
namespace {

constexpr uint8_t kEsc = 0x1B;
constexpr uint8_t kSo = 0x0E;
constexpr uint8_t kSi = 0x0F;
constexpr uint8_t kCr = 0x0D;
constexpr uint8_t kLf = 0x0A;

constexpr int kCells = 94 * 94;

// ---------------------------------------------------------------------------------------------
// Mapping tables.
//
// Source: ICU's "EUC-JP" converter (on ICU 72 the alias resolves to "euc-jp-2007", i.e. eucJP-ms).
// EUC-JP code set 1 is JIS X 0208 with 0x80 added to both bytes, so JIS row r, cell c is the EUC
// byte pair (0xA0 + r, 0xA0 + c). Over rows 1-8, 13 and 16-84 that converter agrees cell for cell
// with ICU's "windows-31j" (ibm-943_P15A-2003, code page 932): it yields the 6879 characters of
// JIS X 0208 and the 83 NEC special characters of row 13. Rows 89-92 hold the NEC-selected IBM
// extension kanji (髙, 﨑, 德, 彅 ...), which are not JIS X 0208 but are what Windows-based EMRs
// write for common family names (髙橋, 山﨑) in ISO-2022-JP (as code page 50220 does); we accept
// them rather than quarantine those patients' records. The user-defined rows (85-88, 93-94)
// have no standard mapping and stay errors.
//
// eucJP-ms uses the Microsoft mapping for seven ambiguous cells; we override them with the JIS
// mapping. 0x2141, 0x2142 and 0x215D are mapped as by ICU's ibm-33722 (IBM EUC-JP), Unicode's
// JIS0208.TXT and Python; 0x2171, 0x2172 and 0x224C as by JIS0208.TXT and Python (ibm-33722
// keeps the fullwidth forms there); 0x213D as by JIS X 0221 and ibm-33722 (U+2014 EM DASH, where
// JIS0208.TXT and Python say U+2015). The encoder also accepts the other code point of each
// pair, so text typed on Windows (or decoded by Python) can be written.
struct AmbiguousCell {
  uint16_t jis;
  char16_t jis_form;        // what the decoder produces
  char16_t microsoft_form;  // what code page 932 uses; also accepted by the encoder
};
constexpr AmbiguousCell kAmbiguousCells[] = {
    {0x213D, u'\u2014', u'\u2015'},  // EM DASH / HORIZONTAL BAR
    {0x2141, u'\u301C', u'\uFF5E'},  // WAVE DASH / FULLWIDTH TILDE
    {0x2142, u'\u2016', u'\u2225'},  // DOUBLE VERTICAL LINE / PARALLEL TO
    {0x215D, u'\u2212', u'\uFF0D'},  // MINUS SIGN / FULLWIDTH HYPHEN-MINUS
    {0x2171, u'\u00A2', u'\uFFE0'},  // CENT SIGN / FULLWIDTH CENT SIGN
    {0x2172, u'\u00A3', u'\uFFE1'},  // POUND SIGN / FULLWIDTH POUND SIGN
    {0x224C, u'\u00AC', u'\uFFE2'},  // NOT SIGN / FULLWIDTH NOT SIGN
};

bool RowIncluded(int row) {
  return (row >= 1 && row <= 8) || row == 13 || (row >= 16 && row <= 84) || (row >= 89 && row <= 92);
}

// One decoded JIS X 0208 cell: its UTF-8 bytes (2 or 3; every cell is in the BMP above U+007F)
// padded to four bytes so the decoder can copy it with one fixed-size memcpy; length 0 means
// the cell has no mapping.
struct Utf8Cell {
  char bytes[3];
  uint8_t length;
};
static_assert(sizeof(Utf8Cell) == 4);

// Writes the UTF-8 form of a code point below U+10000 to `out`; returns the number of bytes.
int PutUtf8Bmp(char16_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  out[0] = static_cast<char>(0xE0 | (cp >> 12));
  out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[2] = static_cast<char>(0x80 | (cp & 0x3F));
  return 3;
}

// Both directions of the JIS X 0208 (+ NEC row 13) mapping. Built once; immutable afterwards.
class JisTables {
 public:
  JisTables() { Build(); }

  // Non-OK (Internal) when ICU could not provide the converter; the tables are then empty.
  const Status& status() const { return status_; }
  // Index = (first byte - 0x21) * 94 + (second byte - 0x21).
  const Utf8Cell& ToUtf8(int index) const { return to_utf8_[index]; }
  // The JIS code (e.g. 0x2422) for a BMP code point, or 0 when there is none.
  uint16_t FromUnicode(char32_t cp) const { return cp < 0x10000 ? from_unicode_[cp] : 0; }

 private:
  void Set(uint16_t jis, char16_t cp) {
    Utf8Cell& cell = to_utf8_[((jis >> 8) - 0x21) * 94 + ((jis & 0xFF) - 0x21)];
    cell = {};
    cell.length = static_cast<uint8_t>(PutUtf8Bmp(cp, cell.bytes));
    forward_[((jis >> 8) - 0x21) * 94 + ((jis & 0xFF) - 0x21)] = cp;
  }

  void Build() {
    UErrorCode error = U_ZERO_ERROR;
    icu::LocalUConverterPointer converter(ucnv_open("EUC-JP", &error));
    if (U_FAILURE(error)) {
      status_ = Internal(std::string("ICU converter EUC-JP is unavailable: ") + u_errorName(error));
      return;
    }
    // Report unmapped cells as errors instead of substituting U+FFFD.
    ucnv_setToUCallBack(converter.getAlias(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr,
                        &error);
    for (int row = 1; row <= 94; ++row) {
      if (!RowIncluded(row)) continue;
      for (int cell = 1; cell <= 94; ++cell) {
        const char euc[2] = {static_cast<char>(0xA0 + row), static_cast<char>(0xA0 + cell)};
        UChar utf16[4];
        error = U_ZERO_ERROR;
        int32_t length = ucnv_toUChars(converter.getAlias(), utf16, 4, euc, 2, &error);
        // Only single BMP characters above ASCII are taken; nothing else is expected here.
        if (U_FAILURE(error) || length != 1 || U16_IS_SURROGATE(utf16[0]) || utf16[0] < 0x80) {
          continue;
        }
        Set(static_cast<uint16_t>(((row + 0x20) << 8) | (cell + 0x20)), utf16[0]);
      }
    }
    for (const AmbiguousCell& a : kAmbiguousCells) Set(a.jis, a.jis_form);

    // Reverse map in row order, first cell wins: the characters that code page 932 has in both
    // row 2 and row 13 (≒ ≡ ∫ √ ⊥ ∠ ∵ ∩ ∪) are written in row 2, the JIS X 0208 cell.
    for (int index = 0; index < kCells; ++index) {
      char16_t cp = forward_[index];
      if (cp != 0 && from_unicode_[cp] == 0) {
        from_unicode_[cp] = static_cast<uint16_t>(((index / 94 + 0x21) << 8) | (index % 94 + 0x21));
      }
    }
    // The Microsoft form of an ambiguous cell is written to its JIS X 0208 cell, unless a cell
    // of its own holds it (U+FFE2 at 0x7C7B, an IBM extension): decoding then encoding must
    // give the same text back.
    for (const AmbiguousCell& a : kAmbiguousCells) {
      if (from_unicode_[a.microsoft_form] == 0) from_unicode_[a.microsoft_form] = a.jis;
    }
  }

  Status status_;
  Utf8Cell to_utf8_[kCells] = {};
  char16_t forward_[kCells] = {};  // the code point of each cell, 0 when unmapped
  uint16_t from_unicode_[0x10000] = {};
};

const JisTables& Tables() {
  static const JisTables tables;  // thread-safe one-time construction
  return tables;
}

// ---------------------------------------------------------------------------------------------
// Messages.

std::string Hex2(uint8_t b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return {'0', 'x', kDigits[b >> 4], kDigits[b & 0xF]};
}

std::string Hex4(uint32_t v, std::string_view prefix) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s(prefix);
  int digits = v > 0xFFFFF ? 6 : v > 0xFFFF ? 5 : 4;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xF];
  return s;
}

Status ByteError(size_t offset, std::string_view what) {
  std::string message = "byte " + std::to_string(offset) + ": ";
  message += what;
  return InvalidArgument(std::move(message));
}

// "ESC ( Z", "ESC $ ( D", "ESC ( 0x0D": the bytes of an escape sequence, printable ones as
// characters.
std::string RenderEscape(const uint8_t* p, size_t length) {
  std::string s = "ESC";
  for (size_t k = 1; k < length; ++k) {
    s += ' ';
    if (p[k] > 0x20 && p[k] < 0x7F) {
      s += static_cast<char>(p[k]);
    } else {
      s += Hex2(p[k]);
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// UTF-8.

enum class Utf8Problem {
  kNone,
  kUnexpectedContinuation,
  kInvalidByte,
  kOverlong,
  kSurrogate,
  kAboveMax,
  kMissingContinuation,
  kTruncated,
};

struct Utf8Step {
  char32_t cp = 0;
  size_t length = 0;  // bytes consumed when problem == kNone
  Utf8Problem problem = Utf8Problem::kNone;
};

// Decodes the non-ASCII sequence starting at p[i] (p[i] >= 0x80) following Unicode table 3-7.
Utf8Step DecodeUtf8Sequence(const uint8_t* p, size_t n, size_t i) {
  Utf8Step step;
  const uint8_t lead = p[i];
  size_t length;
  char32_t cp;
  if (lead < 0xC0) {
    step.problem = Utf8Problem::kUnexpectedContinuation;
    return step;
  } else if (lead < 0xC2) {
    step.problem = Utf8Problem::kOverlong;  // C0 and C1 can only start an overlong ASCII form
    return step;
  } else if (lead < 0xE0) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead < 0xF0) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead < 0xF5) {
    length = 4;
    cp = lead & 0x07;
  } else if (lead < 0xF8) {
    step.problem = Utf8Problem::kAboveMax;  // F5-F7 would start U+140000 and above
    return step;
  } else {
    step.problem = Utf8Problem::kInvalidByte;
    return step;
  }
  for (size_t k = 1; k < length; ++k) {
    if (i + k >= n) {
      step.problem = Utf8Problem::kTruncated;
      return step;
    }
    if ((p[i + k] & 0xC0) != 0x80) {
      step.problem = Utf8Problem::kMissingContinuation;
      return step;
    }
    cp = (cp << 6) | (p[i + k] & 0x3F);
  }
  static constexpr char32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length]) {
    step.problem = Utf8Problem::kOverlong;
  } else if (cp >= 0xD800 && cp <= 0xDFFF) {
    step.problem = Utf8Problem::kSurrogate;
  } else if (cp > 0x10FFFF) {
    step.problem = Utf8Problem::kAboveMax;
  }
  step.cp = cp;
  step.length = length;
  return step;
}

Status Utf8Error(size_t offset, const Utf8Step& step, uint8_t lead) {
  std::string reason;
  switch (step.problem) {
    case Utf8Problem::kNone:
      return Internal("Utf8Error called without a problem");
    case Utf8Problem::kUnexpectedContinuation:
      reason = "unexpected continuation byte " + Hex2(lead);
      break;
    case Utf8Problem::kInvalidByte:
      reason = "invalid byte " + Hex2(lead);
      break;
    case Utf8Problem::kOverlong:
      reason = "overlong encoding";
      break;
    case Utf8Problem::kSurrogate:
      reason = "surrogate " + Hex4(step.cp, "U+");
      break;
    case Utf8Problem::kAboveMax:
      reason = "code point above U+10FFFF";
      break;
    case Utf8Problem::kMissingContinuation:
      reason = "missing continuation byte";
      break;
    case Utf8Problem::kTruncated:
      reason = "truncated sequence at end of input";
      break;
  }
  return ByteError(offset, "invalid UTF-8: " + reason);
}

// True when the eight bytes at p are all below 0x80.
bool AllAscii8(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return (word & 0x8080808080808080ULL) == 0;
}

// ---------------------------------------------------------------------------------------------
// Decoder.

enum class Mode { kAscii, kRoman, kKatakana, kJisX0208 };

// Bytes that end a run in the ASCII state: ESC, SO, SI and every 8-bit byte.
constexpr auto kAsciiRunStop = [] {
  std::array<bool, 256> stop{};
  stop[kEsc] = stop[kSo] = stop[kSi] = true;
  for (int b = 0x80; b < 0x100; ++b) stop[b] = true;
  return stop;
}();

// The end of the run of plain ASCII bytes starting at p[i]: the offset of the first ESC, SO, SI
// or 8-bit byte, or n. Tests eight bytes at a time while none of them is a C0 control or 8-bit.
size_t AsciiRunEnd(const uint8_t* p, size_t n, size_t i) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      const uint64_t control = (word - 0x20 * kOnes) & ~word & kHighBits;
      if ((control | (word & kHighBits)) == 0) {
        i += 8;
        continue;
      }
    }
    // Some byte in the next eight may stop the run (most often it is only a CR or another control).
    const size_t block_end = std::min(n, i + 8);
    for (; i < block_end; ++i) {
      if (kAsciiRunStop[p[i]]) return i;
    }
  }
  return n;
}

// Growable output for the decoder: writes through a raw pointer, growing the string geometrically.
class Utf8Writer {
 public:
  Utf8Writer(std::string& out, size_t initial) : out_(out) {
    out_.resize(std::max<size_t>(initial, 16));
    next_ = out_.data();
  }
  // Makes room for `count` more bytes.
  char* Reserve(size_t count) {
    size_t used = static_cast<size_t>(next_ - out_.data());
    if (out_.size() - used < count) {
      out_.resize(std::max(out_.size() * 2, used + count));
      next_ = out_.data() + used;
    }
    return next_;
  }
  void Advance(size_t count) { next_ += count; }
  char* next() { return next_; }
  void Finish() { out_.resize(static_cast<size_t>(next_ - out_.data())); }

 private:
  std::string& out_;
  char* next_;
};

}  // namespace

StatusOr<DecodeResult> DecodeIso2022Jp(std::string_view bytes) {
  const JisTables& tables = Tables();
  if (!tables.status().ok()) return tables.status();

  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  DecodeResult result;
  // Japanese text is mostly ASCII and 2-byte -> 3-byte characters; half-width kana may grow.
  Utf8Writer out(result.utf8, n + n / 2 + 4);

  Mode mode = Mode::kAscii;
  size_t mode_escape = 0;  // offset of the escape sequence that selected `mode`
  uint32_t used = 0;
  auto mark_used = [&](Charset charset, int bit) {
    if ((used & charset) == 0) {
      used |= charset;
      result.first_offset[bit] = mode_escape;
    }
  };

  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c == kEsc) {
      // ISO 2022 escape sequence: ESC, intermediate bytes 0x20-0x2F, one final byte 0x30-0x7E.
      // Every sequence we accept has one intermediate; allow up to three before giving up.
      size_t j = i + 1;
      while (j < n && j - i <= 3 && p[j] >= 0x20 && p[j] <= 0x2F) ++j;
      if (j >= n) return ByteError(i, "truncated escape sequence at end of input");
      const size_t length = j - i + 1;
      if (p[j] < 0x30 || p[j] > 0x7E) {
        return ByteError(i, "malformed escape sequence " + RenderEscape(p + i, length));
      }
      Mode next;
      std::string_view seq(bytes.data() + i + 1, length - 1);
      if (seq == "(B") {
        next = Mode::kAscii;
      } else if (seq == "(J") {
        next = Mode::kRoman;
      } else if (seq == "(I") {
        next = Mode::kKatakana;
      } else if (seq == "$B" || seq == "$@") {
        next = Mode::kJisX0208;
      } else {
        return ByteError(i, "unknown escape sequence " + RenderEscape(p + i, length));
      }
      mode = next;
      mode_escape = i;
      i += length;
      continue;
    }
    if (c >= 0x80) return ByteError(i, "8-bit byte " + Hex2(c) + " in ISO-2022-JP");
    if (c == kSo || c == kSi) return ByteError(i, "SO/SI shift is not ISO-2022-JP");

    switch (mode) {
      case Mode::kAscii: {
        // Copy the whole run up to the next byte that needs attention.
        const size_t end = AsciiRunEnd(p, n, i);
        std::memcpy(out.Reserve(end - i), p + i, end - i);
        out.Advance(end - i);
        used |= kAscii;
        i = end;
        break;
      }
      case Mode::kRoman: {
        char* w = out.Reserve(3);
        if (c <= 0x20 || c == 0x7F) {  // controls and SPACE are the same in every set
          *w = static_cast<char>(c);
          out.Advance(1);
          used |= kAscii;
        } else {
          char16_t cp = c == 0x5C ? u'\u00A5' : c == 0x7E ? u'\u203E' : c;
          out.Advance(PutUtf8Bmp(cp, w));
          mark_used(kJisX0201Roman, 1);
        }
        ++i;
        break;
      }
      case Mode::kKatakana: {
        if (c == kCr || c == kLf)
          return ByteError(i, "line break inside a half-width katakana run");
        if (c <= 0x20) {
          *out.Reserve(1) = static_cast<char>(c);
          out.Advance(1);
          used |= kAscii;
          ++i;
          break;
        }
        mark_used(kJisX0201Katakana, 2);
        size_t end = i;
        while (end < n && p[end] >= 0x21 && p[end] <= 0x5F) ++end;
        char* w = out.Reserve(3 * (end - i));
        for (; i < end; ++i) w += PutUtf8Bmp(static_cast<char16_t>(0xFF61 + (p[i] - 0x21)), w);
        out.Advance(static_cast<size_t>(w - out.next()));
        if (i < n && p[i] > 0x5F && p[i] < 0x80) {
          return ByteError(i, "byte " + Hex2(p[i]) + " is not a half-width katakana code");
        }
        break;
      }
      case Mode::kJisX0208: {
        if (c == kCr || c == kLf) return ByteError(i, "line break inside a double-byte run");
        if (c < 0x20) {  // other C0 controls stand for themselves in every ISO 2022 state
          *out.Reserve(1) = static_cast<char>(c);
          out.Advance(1);
          used |= kAscii;
          ++i;
          break;
        }
        if (c == 0x20 || c == 0x7F) {
          return ByteError(i, "byte " + Hex2(c) + " is not a JIS X 0208 character byte");
        }
        mark_used(kJisX0208, 3);
        // The hot loop: one table lookup and one 4-byte copy per character. Two input bytes
        // never give more than three output bytes, plus the one padding byte of the copy.
        char* w = out.Reserve((n - i) / 2 * 3 + 1);
        char* const run_start = w;
        while (i + 1 < n) {
          const unsigned hi = p[i] - 0x21u;
          const unsigned lo = p[i + 1] - 0x21u;
          if (hi >= 94 || lo >= 94) break;
          const Utf8Cell& cell = tables.ToUtf8(static_cast<int>(hi * 94 + lo));
          if (cell.length == 0) [[unlikely]] {
            return ByteError(i, "JIS X 0208 code " + Hex4((p[i] << 8) | p[i + 1], "0x") +
                                    " has no Unicode mapping");
          }
          std::memcpy(w, &cell, 4);
          w += cell.length;
          i += 2;
        }
        out.Advance(static_cast<size_t>(w - run_start));
        // The run ended; if it ended inside a character, say how.
        if (i < n && p[i] >= 0x21 && p[i] <= 0x7E) {
          if (i + 1 == n) return ByteError(i, "truncated double-byte character at end of input");
          const uint8_t second = p[i + 1];
          if (second == kEsc) {
            return ByteError(i, "truncated double-byte character before escape sequence");
          }
          if (second >= 0x80)
            return ByteError(i + 1, "8-bit byte " + Hex2(second) + " in ISO-2022-JP");
          if (second == kCr || second == kLf) {
            return ByteError(i + 1, "line break inside a double-byte run");
          }
          return ByteError(i + 1, "byte " + Hex2(second) + " is not a JIS X 0208 character byte");
        }
        break;
      }
    }
  }
  if (mode == Mode::kJisX0208) {
    return ByteError(n, "input ends in the JIS X 0208 state without ESC ( B");
  }
  if (mode == Mode::kKatakana) {
    return ByteError(n, "input ends in the half-width katakana state without ESC ( B");
  }
  out.Finish();
  result.charsets_used = used;
  return result;
}

StatusOr<std::string> EncodeIso2022Jp(std::string_view utf8) {
  const JisTables& tables = Tables();
  if (!tables.status().ok()) return tables.status();

  const uint8_t* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const size_t n = utf8.size();
  std::string out;
  out.reserve(n + 16);
  Mode mode = Mode::kAscii;
  auto switch_to = [&](Mode next, const char* escape) {
    if (mode != next) {
      out.append(escape, 3);
      mode = next;
    }
  };

  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      if (c == kEsc || c == kSo || c == kSi) {
        return ByteError(
            i, "control character " + Hex4(c, "U+") + " cannot be encoded in ISO-2022-JP");
      }
      // Every ASCII character, CR and LF included, is written in the ASCII state.
      switch_to(Mode::kAscii, "\x1B(B");
      size_t end = i + 1;
      while (end < n && !kAsciiRunStop[p[end]]) ++end;
      out.append(utf8.data() + i, end - i);
      i = end;
      continue;
    }
    const Utf8Step step = DecodeUtf8Sequence(p, n, i);
    if (step.problem != Utf8Problem::kNone) return Utf8Error(i, step, c);
    if (step.cp >= 0xFF61 && step.cp <= 0xFF9F) {
      switch_to(Mode::kKatakana, "\x1B(I");
      out += static_cast<char>(step.cp - 0xFF61 + 0x21);
    } else {
      const uint16_t jis = tables.FromUnicode(step.cp);
      if (jis == 0) return ByteError(i, Hex4(step.cp, "U+") + " has no ISO-2022-JP mapping");
      switch_to(Mode::kJisX0208, "\x1B$B");
      out += static_cast<char>(jis >> 8);
      out += static_cast<char>(jis & 0xFF);
    }
    i += step.length;
  }
  switch_to(Mode::kAscii, "\x1B(B");
  return out;
}

Status ValidateUtf8(std::string_view bytes) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n && AllAscii8(p + i)) {
      i += 8;
      continue;
    }
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const Utf8Step step = DecodeUtf8Sequence(p, n, i);
    if (step.problem != Utf8Problem::kNone) return Utf8Error(i, step, p[i]);
    i += step.length;
  }
  return Status::Ok();
}

}  // namespace renkei::text
