#include "gen/catalog.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace renkei::gen {

// Defined in the sources CMake generates from data/ (embed_text.cmake).
std::string_view EmbeddedNamesTsv();
std::string_view EmbeddedTownsTsv();

namespace {

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

// Calls f(columns) for each non-empty line of a TSV text.
template <typename F>
void ForEachRow(std::string_view tsv, size_t columns, F f) {
  size_t start = 0;
  while (start < tsv.size()) {
    size_t end = tsv.find('\n', start);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    auto cols = SplitTabs(line);
    if (cols.size() != columns) {
      std::fprintf(stderr, "renkei: embedded data line has %zu columns, expected %zu\n", cols.size(), columns);
      std::abort();  // the embedded data is part of the build: a malformed line is a build error
    }
    f(cols);
  }
}

bool ByKana(const Name& a, const Name& b) { return a.kana < b.kana || (a.kana == b.kana && a.kanji < b.kanji); }

}  // namespace

NameCatalog NameCatalog::Parse(std::string_view tsv) {
  NameCatalog c;
  ForEachRow(tsv, 3, [&](const std::vector<std::string_view>& col) {
    Name n{col[1], col[2]};
    if (col[0] == "S") c.surnames_.push_back(n);
    else if (col[0] == "M") c.male_.push_back(n);
    else c.female_.push_back(n);
  });
  c.male_by_kana_ = c.male_;
  c.female_by_kana_ = c.female_;
  std::sort(c.male_by_kana_.begin(), c.male_by_kana_.end(), ByKana);
  std::sort(c.female_by_kana_.begin(), c.female_by_kana_.end(), ByKana);
  return c;
}

std::optional<Name> NameCatalog::Homophone(char sex, const Name& name, uint64_t choice) const {
  const std::vector<Name>& v = sex == 'M' ? male_by_kana_ : female_by_kana_;
  auto [lo, hi] = std::equal_range(v.begin(), v.end(), Name{"", name.kana},
                                   [](const Name& a, const Name& b) { return a.kana < b.kana; });
  std::vector<Name> others;
  for (auto it = lo; it != hi; ++it) {
    if (it->kanji != name.kanji) others.push_back(*it);
  }
  if (others.empty()) return std::nullopt;
  return others[choice % others.size()];
}

const NameCatalog& Names() {
  static const NameCatalog kNames = NameCatalog::Parse(EmbeddedNamesTsv());
  return kNames;
}

std::span<const Town> Towns() {
  static const std::vector<Town> kTowns = [] {
    std::vector<Town> out;
    ForEachRow(EmbeddedTownsTsv(), 5, [&](const std::vector<std::string_view>& c) {
      out.push_back({c[0], c[1], c[2], c[3], c[4]});
    });
    return out;
  }();
  return kTowns;
}

std::string_view PrefectureCode(std::string_view prefecture) {
  if (prefecture == "静岡県") return "22";
  if (prefecture == "東京都") return "13";
  return "99";
}

namespace {

// Usage codes: the first two appear in the NHO sample (OMP-01); the once-daily ones follow the
// same layout (times per day, then morning/noon/evening timing digits) and are unverified.
constexpr std::string_view kTid = "1013044400000000", kTidName = "内服・経口・１日３回朝昼夕食後";
constexpr std::string_view kBid = "1012040400000000", kBidName = "内服・経口・１日２回朝夕食後";
constexpr std::string_view kQdM = "1011040000000000", kQdMName = "内服・経口・１日１回朝食後";
constexpr std::string_view kQdE = "1011000400000000", kQdEName = "内服・経口・１日１回夕食後";

// HOT9 codes below are placeholders in the 9-digit shape (not from the MEDIS HOT master).
const std::vector<Drug>& DrugTable() {
  static const std::vector<Drug> kDrugs = {
      {"621902101", "アムロジピン錠5mg", "TAB", "錠", 1, 1, kQdM, kQdMName},               // 0
      {"621902201", "カンデサルタン錠8mg", "TAB", "錠", 1, 1, kQdM, kQdMName},              // 1
      {"621902301", "メトホルミン塩酸塩錠250mg", "TAB", "錠", 1, 2, kBid, kBidName},         // 2
      {"621902401", "シタグリプチン錠50mg", "TAB", "錠", 1, 1, kQdM, kQdMName},             // 3
      {"621902501", "アトルバスタチン錠10mg", "TAB", "錠", 1, 1, kQdE, kQdEName},           // 4
      {"621902601", "ロスバスタチン錠2.5mg", "TAB", "錠", 1, 1, kQdE, kQdEName},            // 5
      {"621902701", "ロサルタンカリウム錠25mg", "TAB", "錠", 1, 1, kQdM, kQdMName},          // 6
      {"621902801", "フェブキソスタット錠10mg", "TAB", "錠", 1, 1, kQdM, kQdMName},          // 7
      {"621902901", "アロプリノール錠100mg", "TAB", "錠", 1, 2, kBid, kBidName},            // 8
      {"621903001", "ランソプラゾールOD錠15mg", "TAB", "錠", 1, 1, kQdM, kQdMName},          // 9
      {"621903101", "ファモチジン錠20mg", "TAB", "錠", 1, 2, kBid, kBidName},               // 10
      {"621903201", "ロキソプロフェンナトリウム錠60mg", "TAB", "錠", 1, 3, kTid, kTidName},  // 11
      {"621903301", "アセトアミノフェン錠200mg", "TAB", "錠", 2, 3, kTid, kTidName},         // 12
      {"621903401", "カルボシステイン錠500mg", "TAB", "錠", 1, 3, kTid, kTidName},           // 13
      {"621903501", "アモキシシリンカプセル250mg", "CAP", "カプセル", 1, 3, kTid, kTidName},  // 14
      {"621903601", "レバミピド錠100mg", "TAB", "錠", 1, 3, kTid, kTidName},                 // 15
      {"621903701", "セレコキシブ錠100mg", "TAB", "錠", 1, 2, kBid, kBidName},               // 16
      {"621903801", "フロセミド錠20mg", "TAB", "錠", 1, 1, kQdM, kQdMName},                  // 17
  };
  return kDrugs;
}

// MEDIS codes with verified = false are placeholders in the published shape.
const std::vector<ConditionInfo>& ConditionTable() {
  using L = Lab;
  static const std::vector<ConditionInfo> kConditions = {
      {Condition::kHypertension, {"本態性高血圧症", "20061540", "RK9N", "I10", false}, "01", {0, 1},
       {L::kCreatinine, L::kEgfr}},
      {Condition::kType2Diabetes, {"２型糖尿病", "20062712", "JKQ4", "E119", false}, "01", {2, 3},
       {L::kHbA1c, L::kGlucose}},
      {Condition::kDyslipidemia, {"脂質異常症", "20086385", "KPN7", "E785", false}, "01", {4, 5},
       {L::kTriglyceride, L::kHdl, L::kLdl}},
      {Condition::kChronicKidneyDisease, {"慢性腎臓病", "20089102", "SN6C", "N189", false}, "48", {6},
       {L::kCreatinine, L::kEgfr, L::kUricAcid}},
      {Condition::kHyperuricemia, {"高尿酸血症", "20063187", "T5QJ", "E790", false}, "01", {7, 8},
       {L::kUricAcid, L::kCreatinine}},
      {Condition::kRefluxEsophagitis, {"逆流性食道炎", "20071634", "E2KD", "K210", false}, "70", {9, 10}, {}},
  };
  return kConditions;
}

const std::vector<EpisodeInfo>& EpisodeTable() {
  static const std::vector<EpisodeInfo> kEpisodes = {
      {{"急性上気道炎", "20053671", "NL4V", "J069", false}, "01", {12, 13}, false, 0, 0, ""},
      {{"急性気管支炎", "20053520", "G7HA", "J209", false}, "01", {13, 14}, false, 0, 0, ""},
      {{"胃炎", "20054174", "TSQF", "K297", true}, "01", {15, 9}, false, 0, 0, ""},  // NHO sample PPR-01
      {{"大腸炎", "20069737", "VSES", "K529", true}, "70", {15}, false, 0, 0, ""},   // JP Core
      {{"腰痛症", "20078855", "QH3M", "M545", false}, "11", {11, 16}, false, 0, 0, ""},
      {{"肺炎", "20072110", "P8WU", "J189", false}, "45", {14}, true, 7, 16,
       "入院後、抗菌薬点滴にて解熱し、炎症反応は改善した。酸素投与は入院3日目に終了した。"},
      {{"うっ血性心不全", "20062101", "FV2D", "I500", false}, "08", {17}, true, 10, 21,
       "利尿薬投与により体重は減少し、下腿浮腫と呼吸困難は改善した。塩分制限を指導した。"},
      {{"脳梗塞", "20065823", "BM3Q", "I639", false}, "04", {}, true, 14, 30,
       "抗血栓療法とリハビリテーションを行い、歩行は杖で自立した。"},
      {{"急性化膿性虫垂炎", "20058257", "HR19", "K358", true}, "10", {11}, true, 4, 8,  // JP Core
       "腹腔鏡下虫垂切除術を施行した。術後経過は良好で、創部に問題はない。"},
      {{"大腿骨頸部骨折", "20066487", "ZC5K", "S7200", false}, "11", {11}, true, 18, 35,
       "人工骨頭置換術を施行し、リハビリテーションにて歩行器歩行が可能となった。"},
  };
  return kEpisodes;
}

// JLAC10 17-digit codes from the MHLW specific health check tables and the NHO sample;
// reference ranges after the JCCLS common reference intervals.
const std::vector<LabTest>& LabTable() {
  static const std::vector<LabTest> kLabs = {
      {"3D046000001906202", "HbA1c(NGSP)", "%", 1, 4.9, 6.0, 4.9, 6.0},
      {"3D010000001926101", "空腹時血糖", "mg/dl", 0, 73, 109, 73, 109},
      {"3F015000002327101", "中性脂肪", "mg/dl", 0, 40, 234, 30, 117},
      {"3F070000002327101", "HDLコレステロール", "mg/dl", 0, 38, 90, 48, 103},
      {"3F077000002327101", "LDLコレステロール", "mg/dl", 0, 65, 163, 65, 163},
      {"3B035000002327201", "AST(GOT)", "U/l", 0, 13, 30, 13, 30},
      {"3B045000002327201", "ALT(GPT)", "U/l", 0, 10, 42, 7, 23},
      {"3B090000002327101", "γ-GT", "U/l", 0, 13, 64, 9, 32},
      {"3C015000002327101", "クレアチニン", "mg/dl", 2, 0.65, 1.07, 0.46, 0.79},
      {"8A065000002391901", "eGFR", "mL/min/1.73m2", 1, 60, -1, 60, -1},
      {"3C020000002327101", "尿酸", "mg/dl", 1, 3.7, 7.8, 2.6, 5.5},
      {"3A010000002327101", "総蛋白", "g/dl", 1, 6.6, 8.1, 6.6, 8.1},
      {"3A015000002327101", "アルブミン", "g/dl", 1, 4.1, 5.1, 4.1, 5.1},
  };
  return kLabs;
}

}  // namespace

std::span<const Drug> Drugs() { return DrugTable(); }
std::span<const ConditionInfo> Conditions() { return ConditionTable(); }
const ConditionInfo& InfoOf(Condition c) { return ConditionTable()[static_cast<size_t>(c)]; }
std::span<const EpisodeInfo> Episodes() { return EpisodeTable(); }
std::span<const LabTest> LabTests() { return LabTable(); }
const LabTest& TestOf(Lab lab) { return LabTable()[static_cast<size_t>(lab)]; }

std::span<const ImagingExam> ImagingExams() {
  // JJ1017 codes as in the NHO sample's OMG-01.
  static const std::vector<ImagingExam> kExams = {
      {"10000002000102000000010000000000", "胸部.Ｘ線単純撮影.立位正面(A→P)"},
      {"10000002000106000000010000000000", "胸部.Ｘ線単純撮影.立位側面(L→R)"},
      {"10000002500102000000010000000000", "腹部.Ｘ線単純撮影.立位正面(A→P)"},
      {"10000002500602000000010000000000", "腹部.Ｘ線単純撮影.左側臥位正面(A→P)"},
  };
  return kExams;
}

std::span<const Allergen> Allergens() {
  // The JC10 and HOT9 codes are those of the NHO sample's ADT-61; 99ALG is a local system.
  static const std::vector<Allergen> kAllergens = {
      {"LA", "花粉アレルギー", "5A1002216023023", "スギ", "JC10", "目のかゆみ"},
      {"FA", "食物アレルギー", "5A1002411023006", "ソバ", "JC10", "湿疹"},
      {"EA", "環境アレルギー", "5A1102700023023", "ハウスダスト", "JC10", "くしゃみ"},
      {"DA", "薬剤アレルギー", "106824501", "アリナミン", "HOT9", "のどの渇き"},
      {"DA", "薬剤アレルギー", "0001", "ペニシリン系抗菌薬", "99ALG", "蕁麻疹"},
      {"DA", "薬剤アレルギー", "0002", "造影剤", "99ALG", "嘔気・蕁麻疹"},
      {"FA", "食物アレルギー", "0101", "卵", "99ALG", "蕁麻疹"},
      {"FA", "食物アレルギー", "0102", "えび", "99ALG", "口唇の腫れ"},
  };
  return kAllergens;
}

std::span<const Department> Departments() {
  // SS-MIX2 unified department codes (2 digits).
  static const std::vector<Department> kDepartments = {
      {"01", "内科"},     {"04", "神経内科"}, {"08", "循環器科"},   {"10", "外科"},
      {"11", "整形外科"}, {"30", "放射線科"}, {"45", "呼吸器内科"}, {"48", "腎臓内科"},
      {"70", "消化器内科"},
  };
  return kDepartments;
}

std::string_view DepartmentName(std::string_view code) {
  for (const Department& d : Departments()) {
    if (d.code == code) return d.name;
  }
  return "";
}

}  // namespace renkei::gen
