#include "ssmix2/data_type.h"

#include <algorithm>

namespace renkei::ssmix2 {
namespace {

// Date rules: patient-level data lives under "-"; orders, results and administrations
// under the order's transaction date (ORC-9), falling back to the observation date
// (OBR-7) and the administration start (RXA-3) when a message has no ORC; visits and
// stays under the event date (EVN-6) or the admit / discharge date (PV1-44 / PV1-45).
// These follow the JAHIS/SS-MIX2 conventions that the NHO sample tree also follows.
const std::vector<FieldRef> kOrderDate = {{"ORC", 9}, {"OBR", 7}, {"RXA", 3}, {"TQ1", 7}};
const std::vector<FieldRef> kAdmitDate = {{"EVN", 6}, {"PV1", 44}};
const std::vector<FieldRef> kDischargeDate = {{"EVN", 6}, {"PV1", 45}};

const std::vector<DataTypeInfo>& Table() {
  static const std::vector<DataTypeInfo> kTypes = {
      {"ADT-00", "患者基本情報", "ADT", {"A08"}, true, {}},
      {"ADT-01", "担当医情報", "ADT", {"A54", "A55"}, false, kAdmitDate},
      {"ADT-12", "外来診察受付", "ADT", {"A04", "A11"}, false, kAdmitDate},
      {"ADT-21", "入院予定", "ADT", {"A14", "A27"}, false, kAdmitDate},
      {"ADT-22", "入院実施", "ADT", {"A01", "A11"}, false, kAdmitDate},
      {"ADT-31", "外出泊実施", "ADT", {"A21", "A52"}, false, kAdmitDate},
      {"ADT-32", "外出泊帰院実施", "ADT", {"A22", "A53"}, false, kAdmitDate},
      {"ADT-41", "転科・転棟予定", "ADT", {"A15", "A26"}, false, kAdmitDate},
      {"ADT-42", "転科・転棟実施", "ADT", {"A02", "A12"}, false, kAdmitDate},
      {"ADT-51", "退院予定", "ADT", {"A16", "A25"}, false, kDischargeDate},
      {"ADT-52", "退院実施", "ADT", {"A03", "A13"}, false, kDischargeDate},
      {"ADT-61", "患者アレルギー情報", "ADT", {"A60"}, true, {}},
      {"PPR-01", "病名（歴）情報", "PPR", {"ZD1"}, true, {}},
      {"OMD", "食事オーダ", "OMD", {"O03"}, false, kOrderDate},
      {"OMP-01", "処方オーダ", "RDE", {"O11"}, false, kOrderDate},
      {"OMP-02", "注射オーダ", "RDE", {"O11"}, false, kOrderDate},
      {"OMP-11", "処方実施通知", "RAS", {"O17"}, false, kOrderDate},
      {"OMP-12", "注射実施通知", "RAS", {"O17"}, false, kOrderDate},
      {"OML-01", "検体検査オーダ", "OML", {"O33"}, false, kOrderDate},
      {"OML-11", "検体検査結果通知", "OUL", {"R22"}, false, kOrderDate},
      {"OMG-01", "放射線検査オーダ", "OMG", {"O19"}, false, kOrderDate},
      {"OMG-02", "内視鏡検査オーダ", "OMG", {"O19"}, false, kOrderDate},
      {"OMG-03", "生理検査オーダ", "OMG", {"O19"}, false, kOrderDate},
      {"OMG-11", "放射線検査結果通知", "OMI", {"Z23"}, false, kOrderDate},
      {"OMG-12", "内視鏡検査結果通知", "OMI", {"Z23"}, false, kOrderDate},
      {"OMG-13", "生理検査結果通知", "ORU", {"R01"}, false, kOrderDate},
  };
  return kTypes;
}

}  // namespace

std::span<const DataTypeInfo> StandardDataTypes() { return Table(); }

const DataTypeInfo* FindDataType(std::string_view code) {
  const auto& t = Table();
  auto it = std::find_if(t.begin(), t.end(), [&](const DataTypeInfo& d) { return d.code == code; });
  return it == t.end() ? nullptr : &*it;
}

bool IsExtendedTypeFolder(std::string_view folder) { return folder.find('^') != std::string_view::npos; }

}  // namespace renkei::ssmix2
