#include "gen/facility.h"

#include <fmt/format.h>

#include "gen/catalog.h"
#include "gen/random.h"

namespace renkei::gen {

uint64_t Facility::MaxPatients() const {
  uint64_t m = 1;
  for (int i = 0; i < patient_id_digits; ++i) m *= 10;
  return m;
}

std::string Facility::LocalPatientId(uint64_t n) const {
  // n -> (a*n + b) mod 10^d is a bijection on [0, 10^d) when gcd(a, 10) = 1.
  const uint64_t m = MaxPatients();
  const unsigned __int128 x = (static_cast<unsigned __int128>(id_multiplier) * n + id_offset) % m;
  return fmt::format("{:0{}}", static_cast<uint64_t>(x), patient_id_digits);
}

const Practitioner& Facility::DoctorFor(std::string_view department, uint64_t choice, std::string* used) const {
  size_t d = 0;
  for (size_t i = 0; i < departments.size(); ++i) {
    if (departments[i] == department) d = i;
  }
  if (used) *used = departments[d];
  return doctors[d][choice % doctors[d].size()];
}

std::vector<Facility> MakeFacilities(uint64_t seed, int count, int hospitals) {
  Rng rng = Rng::For(seed, StreamKind::kRegion, 0);
  const auto towns = Towns();
  const NameCatalog& names = Names();
  static constexpr std::string_view kHospitalKinds[] = {"市民病院", "中央病院", "総合病院", "記念病院", "医療センター"};
  static constexpr std::string_view kClinicKinds[] = {"内科クリニック", "医院", "内科医院", "クリニック", "診療所"};
  static constexpr std::string_view kHospitalDepartments[] = {"01", "04", "08", "10", "11", "30", "45", "48", "70"};
  std::vector<Facility> out;
  std::vector<int> used_names;
  for (int i = 0; i < count; ++i) {
    Rng f = Rng::For(seed, StreamKind::kFacility, static_cast<uint64_t>(i));
    Facility fac;
    fac.index = i;
    fac.hospital = i < hospitals;
    // Towns in turn from a seeded start, so that small regions spread over several towns.
    const size_t start = rng.Below(towns.size());
    fac.town = static_cast<int>((start + static_cast<size_t>(i) * 7) % towns.size());
    const Town& t = towns[fac.town];
    // Names: the town plus a kind ("登呂市民病院"); clinics also after the director's surname.
    const uint64_t kind = f.Below(5);
    const std::string base = fac.hospital || f.Chance(0.5) ? std::string(t.town) : std::string(f.Pick(names.surnames()).kanji);
    fac.name = base + std::string(fac.hospital ? kHospitalKinds[kind] : kClinicKinds[kind]);
    for (const Facility& other : out) {
      if (other.name == fac.name) fac.name = fmt::format("{}第{}", fac.name, i + 1);
    }
    // 医療機関コード: prefecture, 1 (medical), then 7 digits unique in the region.
    uint64_t serial = f.Below(10'000'000);
    auto taken = [&](const std::string& id) {
      for (const Facility& other : out) {
        if (other.id == id) return true;
      }
      return false;
    };
    do {
      fac.id = fmt::format("{}1{:07}", PrefectureCode(t.prefecture), serial);
      serial = (serial + 1) % 10'000'000;
    } while (taken(fac.id));
    // One draw per statement: function arguments are evaluated in an unspecified order.
    const int64_t chome = f.Between(1, 5);
    const int64_t ban = f.Between(1, 30);
    const int64_t go = f.Between(1, 20);
    fac.address = fmt::format("{}{}{}{}-{}-{}", t.prefecture, t.city, t.town, chome, ban, go);
    {
      const int exchange_digits = 6 - static_cast<int>(t.area_code.size());
      std::string exchange;
      for (int d = 0; d < exchange_digits; ++d) exchange.push_back(static_cast<char>('1' + f.Below(9)));
      fac.phone = fmt::format("{}-{}-{:04}", t.area_code, exchange, f.Below(10000));
    }
    fac.sending_application = fmt::format("HIS{:03}", i + 1);
    fac.patient_id_digits = fac.hospital ? static_cast<int>(f.Between(8, 10)) : static_cast<int>(f.Between(7, 8));
    static constexpr uint64_t kUnits[] = {1, 3, 7, 9};
    const uint64_t tens = f.Below(fac.MaxPatients() / 10);
    fac.id_multiplier = (tens * 10 + kUnits[f.Below(4)]) % fac.MaxPatients();
    if (fac.id_multiplier == 0) fac.id_multiplier = 1;
    fac.id_offset = f.Below(fac.MaxPatients());
    fac.habits.halfwidth_kana = !fac.hospital && f.Chance(0.4);
    fac.habits.fullwidth_digits = f.Chance(0.6);
    fac.habits.banchi_words = f.Chance(0.2);
    if (fac.hospital) {
      fac.departments.assign(std::begin(kHospitalDepartments), std::end(kHospitalDepartments));
    } else {
      fac.departments = {"01"};
      static constexpr std::string_view kSpecialties[] = {"08", "11", "70", "48"};
      if (f.Chance(0.5)) fac.departments.emplace_back(kSpecialties[f.Below(4)]);
    }
    for (size_t d = 0; d < fac.departments.size(); ++d) {
      std::vector<Practitioner> staff;
      const int n = fac.hospital ? static_cast<int>(f.Between(2, 5)) : 1;
      for (int k = 0; k < n; ++k) {
        const char sex = f.Chance(0.3) ? 'F' : 'M';
        staff.push_back({fmt::format("D{:02}{:02}", d + 1, k + 1), std::string(f.Pick(names.surnames()).kanji),
                         std::string(f.Pick(names.given(sex)).kanji)});
      }
      fac.doctors.push_back(std::move(staff));
    }
    out.push_back(std::move(fac));
  }
  return out;
}

}  // namespace renkei::gen
