#include "fhir/v2.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "fhir/coding.h"

namespace renkei::fhir::v2 {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Num(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// The parts of a TS, validated.
struct Ts {
  std::string_view digits;  // 4, 6, 8, 10, 12 or 14 digits
  std::string_view fraction;
  std::string zone;         // "+09:00"
};

std::optional<Ts> SplitTs(std::string_view ts) {
  Ts out;
  size_t zone_at = ts.find_first_of("+-");
  std::string_view zone;
  if (zone_at != std::string_view::npos) {
    zone = ts.substr(zone_at);
    ts = ts.substr(0, zone_at);
  }
  const size_t dot = ts.find('.');
  if (dot != std::string_view::npos) {
    out.fraction = ts.substr(dot + 1);
    ts = ts.substr(0, dot);
    if (out.fraction.empty() || out.fraction.size() > 4 || !AllDigits(out.fraction) || ts.size() != 14) {
      return std::nullopt;
    }
  }
  const size_t n = ts.size();
  if (!(n == 4 || n == 6 || n == 8 || n == 10 || n == 12 || n == 14) || !AllDigits(ts)) return std::nullopt;
  const int y = Num(ts.substr(0, 4));
  if (y < 1800 || y > 2200) return std::nullopt;
  if (n >= 6) {
    const int mo = Num(ts.substr(4, 2));
    if (mo < 1 || mo > 12) return std::nullopt;
    if (n >= 8) {
      const int d = Num(ts.substr(6, 2));
      if (d < 1 || d > DaysIn(y, mo)) return std::nullopt;
    }
  }
  if (n >= 10 && Num(ts.substr(8, 2)) > 23) return std::nullopt;
  if (n >= 12 && Num(ts.substr(10, 2)) > 59) return std::nullopt;
  if (n >= 14 && Num(ts.substr(12, 2)) > 59) return std::nullopt;
  if (zone.empty()) {
    out.zone = "+09:00";
  } else {
    if (zone.size() != 5 || !AllDigits(zone.substr(1)) || Num(zone.substr(1, 2)) > 14 || Num(zone.substr(3, 2)) > 59) {
      return std::nullopt;
    }
    out.zone = fmt::format("{}{}:{}", zone[0], zone.substr(1, 2), zone.substr(3, 2));
  }
  out.digits = ts;
  return out;
}

bool IsUcumUnitSystem(std::string_view v2_system) { return v2_system == "ISO+" || v2_system == "UCUM"; }

}  // namespace

std::optional<std::string> DateTime(std::string_view ts) {
  auto t = SplitTs(ts);
  if (!t) return std::nullopt;
  const std::string_view d = t->digits;
  std::string out(d.substr(0, 4));
  if (d.size() >= 6) out += fmt::format("-{}", d.substr(4, 2));
  if (d.size() >= 8) out += fmt::format("-{}", d.substr(6, 2));
  if (d.size() >= 10) {
    out += fmt::format("T{}:{}:{}", d.substr(8, 2), d.size() >= 12 ? d.substr(10, 2) : "00",
                       d.size() >= 14 ? d.substr(12, 2) : "00");
    if (!t->fraction.empty()) out += fmt::format(".{}", t->fraction);
    out += t->zone;
  }
  return out;
}

std::optional<std::string> SortKey(std::string_view ts) {
  auto t = SplitTs(ts);
  if (!t) return std::nullopt;
  std::string out(t->digits);
  out.resize(14, '0');
  if (t->digits.size() == 4) out.replace(4, 4, "0101");
  if (t->digits.size() == 6) out.replace(6, 2, "01");
  return out;
}

std::optional<std::string> Date(std::string_view ts) {
  auto t = SplitTs(ts);
  if (!t) return std::nullopt;
  return DateTime(t->digits.substr(0, std::min<size_t>(t->digits.size(), 8)));
}

std::optional<double> Decimal(std::string_view nm) {
  if (nm.empty() || nm.size() > 32) return std::nullopt;
  std::string s(nm);
  if (s.front() == '+') s.erase(0, 1);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string Segment::Str(int field, int component, int repetition, int sub) const {
  if (!valid()) return {};
  return m_.GetAt(index_, field, repetition, component, sub);
}

int Segment::Repetitions(int field) const {
  if (!valid()) return 0;
  return hl7::RepetitionCount(m_.segment(index_).Field(field), m_.delimiters());
}

json Segment::Coding(int field, int first, int repetition) const {
  const std::string code = Str(field, first, repetition);
  if (code.empty()) return nullptr;
  json c = {{"code", code}};
  const std::string display = Str(field, first + 1, repetition);
  if (!display.empty()) c["display"] = display;
  const std::string system = Str(field, first + 2, repetition);
  if (!system.empty()) c["system"] = CodeSystemUri(system, facility_);
  return c;
}

json Segment::CodeableConcept(int field, int repetition) const {
  json codings = json::array();
  for (int first : {1, 4}) {
    json c = Coding(field, first, repetition);
    if (!c.is_null()) codings.push_back(std::move(c));
  }
  std::string text = Str(field, 2, repetition);
  if (text.empty()) text = Str(field, 5, repetition);
  if (codings.empty() && text.empty()) return nullptr;
  json cc = json::object();
  if (!codings.empty()) cc["coding"] = std::move(codings);
  if (!text.empty()) cc["text"] = text;
  return cc;
}

json Segment::CodeableConceptFromSub(int field, int component, int repetition) const {
  const std::string code = Str(field, component, repetition, 1);
  const std::string text = Str(field, component, repetition, 2);
  const std::string system = Str(field, component, repetition, 3);
  if (code.empty() && text.empty()) return nullptr;
  json cc = json::object();
  if (!code.empty()) {
    json c = {{"code", code}};
    if (!text.empty()) c["display"] = text;
    if (!system.empty()) c["system"] = CodeSystemUri(system, facility_);
    cc["coding"] = json::array({c});
  }
  if (!text.empty()) cc["text"] = text;
  return cc;
}

std::string Segment::Text(int field, int repetition) const {
  std::string t = Str(field, 2, repetition);
  return t.empty() ? Str(field, 1, repetition) : t;
}

json Segment::HumanNames(int field) const {
  json names = json::array();
  for (int r = 1; r <= Repetitions(field); ++r) {
    const std::string family = Str(field, 1, r);
    const std::string given = Str(field, 2, r);
    if (family.empty() && given.empty()) continue;
    json n = {{"use", "official"}};
    if (!family.empty()) n["family"] = family;
    if (!given.empty()) n["given"] = json::array({given});
    n["text"] = family.empty() || given.empty() ? family + given : family + " " + given;
    const std::string rep = Str(field, 8, r);
    const char* code = rep == "I" ? "IDE" : rep == "P" ? "SYL" : rep == "A" ? "ABC" : nullptr;
    if (code) {
      n["extension"] = json::array(
          {{{"url", "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"}, {"valueCode", code}}});
    }
    names.push_back(std::move(n));
  }
  return names.empty() ? json(nullptr) : names;
}

json Segment::Addresses(int field) const {
  json out = json::array();
  for (int r = 1; r <= Repetitions(field); ++r) {
    json a = json::object();
    const std::string street = Str(field, 1, r), city = Str(field, 3, r), state = Str(field, 4, r);
    const std::string postal = Str(field, 5, r), country = Str(field, 6, r), type = Str(field, 7, r);
    std::string text = Str(field, 8, r);
    if (text.empty()) text = state + city + street;
    if (!street.empty()) a["line"] = json::array({street});
    if (!city.empty()) a["city"] = city;
    if (!state.empty()) a["state"] = state;
    if (!postal.empty()) a["postalCode"] = postal;
    if (!country.empty()) a["country"] = country;
    if (!text.empty()) a["text"] = text;
    if (a.empty()) continue;
    if (type == "H") a["use"] = "home";
    if (type == "B" || type == "O") a["use"] = "work";
    if (type == "M") a["type"] = "postal";
    out.push_back(std::move(a));
  }
  return out.empty() ? json(nullptr) : out;
}

json Segment::Telecoms(int field, std::string_view default_use) const {
  json out = json::array();
  for (int r = 1; r <= Repetitions(field); ++r) {
    const std::string use = Str(field, 2, r), equipment = Str(field, 3, r);
    std::string value = Str(field, 12, r);
    if (value.empty()) value = Str(field, 1, r);
    if (value.empty()) value = Str(field, 4, r);
    if (value.empty()) {
      const std::string area = Str(field, 6, r), local = Str(field, 7, r);
      value = area.empty() ? local : area + "-" + local;
    }
    if (value.empty()) continue;
    json c = {{"value", value}};
    if (equipment == "FX") c["system"] = "fax";
    else if (equipment == "Internet" || equipment == "X.400" || use == "NET") c["system"] = "email";
    else if (equipment == "BP") c["system"] = "pager";
    else c["system"] = "phone";
    if (equipment == "CP") c["use"] = "mobile";
    else if (use == "PRN" || use == "ORN" || use == "VHN") c["use"] = "home";
    else if (use == "WPN") c["use"] = "work";
    else if (use.empty()) c["use"] = std::string(default_use);
    out.push_back(std::move(c));
  }
  return out.empty() ? json(nullptr) : out;
}

std::string Segment::PersonName(int field, int repetition) const {
  const std::string family = Str(field, 2, repetition), given = Str(field, 3, repetition);
  if (!family.empty() && !given.empty()) return family + " " + given;
  if (!family.empty()) return family;
  return Str(field, 1, repetition);
}

json Segment::Quantity(std::string_view value, int unit_field, int base) const {
  auto v = Decimal(value);
  if (!v) return nullptr;
  json q = {{"value", *v}};
  const std::string code = Str(unit_field, base), text = Str(unit_field, base + 1), system = Str(unit_field, base + 2);
  if (!text.empty() || !code.empty()) q["unit"] = text.empty() ? code : text;
  if (!code.empty() && !system.empty() && (IsUcumUnitSystem(system) || system == "MR9P")) {
    q["code"] = code;
    q["system"] = CodeSystemUri(system, facility_);
  }
  return q;
}

}  // namespace renkei::fhir::v2
