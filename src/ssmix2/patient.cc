#include "ssmix2/patient.h"

namespace renkei::ssmix2 {
namespace {

// A telephone number from an XTN repetition: the old-style component 1, else the
// unformatted number of component 12.
std::string Phone(const hl7::Message& m, size_t pid, int field) {
  const auto& d = m.delimiters();
  std::string_view f = m.segment(pid).Field(field);
  for (int r = 1; r <= hl7::RepetitionCount(f, d); ++r) {
    std::string_view rep = hl7::Repetition(f, r, d);
    for (int c : {1, 12}) {
      std::string v = hl7::Unescape(hl7::Component(rep, c, d), d);
      if (!v.empty()) return v;
    }
  }
  return {};
}

}  // namespace

Demographics ReadDemographics(const hl7::Message& m) {
  Demographics out;
  size_t pid = m.FindSegment("PID");
  if (pid == hl7::Message::npos) return out;
  const auto& d = m.delimiters();
  out.patient_id = m.GetAt(pid, 3);
  std::string_view names = m.segment(pid).Field(5);
  for (int r = 1; r <= hl7::RepetitionCount(names, d); ++r) {
    std::string_view rep = hl7::Repetition(names, r, d);
    std::string_view code = hl7::Component(rep, 8, d);
    std::string family = hl7::Unescape(hl7::Subcomponent(hl7::Component(rep, 1, d), 1, d), d);
    std::string given = hl7::Unescape(hl7::Component(rep, 2, d), d);
    if (code == "I" || (code.empty() && r == 1)) {
      out.kanji_family = family;
      out.kanji_given = given;
    } else if (code == "P") {
      out.kana_family = family;
      out.kana_given = given;
    }
  }
  out.birth_date = m.GetAt(pid, 7).substr(0, 8);
  out.sex = m.GetAt(pid, 8);
  out.postal_code = m.GetAt(pid, 11, 1, 5);
  out.address = m.GetAt(pid, 11, 1, 8);
  if (out.address.empty()) {
    for (int c : {4, 3, 1, 2}) out.address += m.GetAt(pid, 11, 1, c);
  }
  out.phone = Phone(m, pid, 13);
  if (out.phone.empty()) out.phone = Phone(m, pid, 14);
  return out;
}

}  // namespace renkei::ssmix2
