#include "gen/messages.h"

#include <cmath>

#include <fmt/format.h>

#include "gen/variants.h"
#include "hl7/message.h"

namespace renkei::gen {
namespace {

using hl7::SegmentData;

std::string Esc(std::string_view v) { return hl7::Escape(v, hl7::Delimiters::Standard()); }

// XCN as the NHO sample writes a doctor: id^family^given^^^^^^^L^^^^^I.
std::string Xcn(const Practitioner& p) { return fmt::format("{}^{}^{}^^^^^^^L^^^^^I", p.id, Esc(p.family), Esc(p.given)); }

SegmentData Msh(const MessageContext& ctx, std::string_view type) {
  return {"MSH",
          {ctx.facility.sending_application, ctx.facility.id, "GW", "RCV", Hl7Millis(ctx.sent), "", std::string(type),
           std::string(ctx.control_id), "P", "2.5", "", "", "", "", "", "~ISO IR87", "", "ISO2022-1994",
           "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO"}};
}

std::string NameField(const RecordedDemographics& r) {
  return fmt::format("{}^{}^^^^^L^I~{}^{}^^^^^L^P", Esc(r.kanji_family), Esc(r.kanji_given), Esc(r.kana_family),
                     Esc(r.kana_given));
}

std::string PhoneField(std::string_view phone) {
  if (phone.empty()) return "";
  const bool mobile = phone.size() > 3 && phone[0] == '0' && (phone[1] == '7' || phone[1] == '8' || phone[1] == '9') &&
                      phone[2] == '0';
  return fmt::format("^PRN^{}^^^^^^^^^{}", mobile ? "CP" : "PH", phone);
}

// PID with identity only (as the sample's order messages carry it), or with address and phone.
SegmentData Pid(const MessageContext& ctx, bool full) {
  const RecordedDemographics& r = ctx.recorded;
  SegmentData s{"PID",
                {"0001", "", fmt::format("{}^^^^PI", ctx.local_id), "", NameField(r), "", Yyyymmdd(ctx.person.birth_day),
                 std::string(1, ctx.person.sex)}};
  if (full) {
    s.fields.insert(s.fields.end(), {"", "", fmt::format("^^^^{}^JPN^H^{}", r.postal_code, Esc(r.address)), "",
                                     PhoneField(r.phone)});
  }
  return s;
}

std::string DeptField(const CareTeam& t) {
  return fmt::format("{}^{}^MML028", t.department, DepartmentName(t.department));
}

SegmentData OutpatientPv1(const CareTeam& t) {
  return {"PV1", {"0001", "O", fmt::format("{}^^^^^C", t.department), "", "", "", Xcn(*t.doctor), "", "", t.department}};
}

// Joins the segments; declares half-width katakana in MSH-18 when the text holds any.
std::string Finish(std::vector<SegmentData> segments) {
  std::string text = hl7::Build(segments);
  if (HasHalfWidthKatakana(text)) {
    segments[0].fields[15] = "~ISO IR87~ISO IR13";
    text = hl7::Build(segments);
  }
  return text;
}

std::string Decimal(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

}  // namespace

std::string PatientMessage(const MessageContext& ctx) {
  const Person& p = ctx.person;
  const Moment registered = ctx.sent;
  std::vector<SegmentData> s;
  s.push_back(Msh(ctx, "ADT^A08^ADT_A01"));
  s.push_back({"EVN", {"", Hl7Minutes(registered)}});
  s.push_back(Pid(ctx, true));
  s.push_back({"PV1", {"0001", "O"}});
  int n = 0;
  if (p.height_cm > 0) {
    s.push_back({"OBX", {std::to_string(++n), "NM", "9N001000000000001^身長^JC10", "", Decimal(p.height_cm, 1),
                         "cm^cm^ISO+", "", "", "", "", "F"}});
    s.push_back({"OBX", {std::to_string(++n), "NM", "9N006000000000001^体重^JC10", "", Decimal(p.weight_kg, 1),
                         "kg^kg^ISO+", "", "", "", "", "F"}});
  }
  s.push_back({"IN1", {"1", p.insurance_plan + "^JHSD0001", p.insurer_number, "", "", "", "", "", "", "", "",
                       Yyyymmdd(DayOf(registered)), "", "", "", "", "SEL^本人^HL70063"}});
  return Finish(std::move(s));
}

std::string VisitMessage(const MessageContext& ctx, Moment visit, const CareTeam& team, bool cancelled) {
  std::vector<SegmentData> s;
  s.push_back(Msh(ctx, cancelled ? "ADT^A11^ADT_A09" : "ADT^A04^ADT_A01"));
  s.push_back({"EVN", {"", Hl7Minutes(ctx.sent), "", "", "", Hl7Minutes(visit)}});
  s.push_back(Pid(ctx, false));
  SegmentData pv1 = OutpatientPv1(team);
  pv1.fields.resize(44);
  pv1.fields[43] = Hl7Minutes(visit);  // PV1-44 admit date/time
  s.push_back(std::move(pv1));
  return Finish(std::move(s));
}

namespace {
SegmentData InpatientPv1(const Stay& stay, const CareTeam& team, bool discharged) {
  SegmentData pv1{"PV1", {"0001", "I", fmt::format("{}^{}^{}^^^N", stay.ward, stay.room, stay.bed), "", "", "",
                          Xcn(*team.doctor), "", "", team.department}};
  pv1.fields.resize(discharged ? 45 : 44);
  pv1.fields[16] = Xcn(*team.doctor);  // PV1-17 admitting doctor
  pv1.fields[43] = Hl7Minutes(stay.admitted);
  if (discharged) {
    pv1.fields[35] = "01";  // PV1-36 discharge disposition
    pv1.fields[44] = Hl7Minutes(stay.discharged);
  }
  return pv1;
}
}  // namespace

namespace {
// ADT-22 and ADT-52 differ only in the event, its date and the discharge fields.
std::string StayMessage(const MessageContext& ctx, const Stay& stay, const CareTeam& team, bool discharge) {
  std::vector<SegmentData> s;
  s.push_back(Msh(ctx, discharge ? "ADT^A03^ADT_A03" : "ADT^A01^ADT_A01"));
  s.push_back({"EVN", {"", Hl7Minutes(ctx.sent), "", "", "", Hl7Minutes(discharge ? stay.discharged : stay.admitted)}});
  s.push_back(Pid(ctx, false));
  s.push_back(InpatientPv1(stay, team, discharge));
  return Finish(std::move(s));
}
}  // namespace

std::string AdmitMessage(const MessageContext& ctx, const Stay& stay, const CareTeam& team) {
  return StayMessage(ctx, stay, team, false);
}

std::string DischargeMessage(const MessageContext& ctx, const Stay& stay, const CareTeam& team) {
  return StayMessage(ctx, stay, team, true);
}

std::string AllergyMessage(const MessageContext& ctx, const std::vector<int>& allergies) {
  static constexpr std::string_view kSeverity[] = {"MI^軽度^HL70128", "MO^中等度^HL70128", "SV^重度^HL70128"};
  std::vector<SegmentData> s;
  s.push_back(Msh(ctx, "ADT^A60^ADT_A60"));
  s.push_back({"EVN", {"", Hl7Seconds(ctx.sent)}});
  s.push_back(Pid(ctx, false));
  int n = 0;
  for (int a : allergies) {
    const Allergen& al = Allergens()[a];
    s.push_back({"IAM", {std::to_string(++n), fmt::format("{}^{}^HL70127", al.kind, al.kind_name),
                         fmt::format("{}^{}^{}", al.code, Esc(al.name), al.system), std::string(kSeverity[a % 3]),
                         Esc(al.reaction), "A^追加^HL70323"}});
  }
  return Finish(std::move(s));
}

std::string ProblemMessage(const MessageContext& ctx, const std::vector<Problem>& problems, const CareTeam& team) {
  std::vector<SegmentData> s;
  s.push_back(Msh(ctx, "PPR^ZD1^PPR_ZD1"));
  s.push_back(Pid(ctx, false));
  for (const Problem& p : problems) {
    const Diagnosis& d = p.diagnosis;
    SegmentData prb{"PRB", {"AD", Yyyymmdd(p.onset_day), fmt::format("{}^{}^MDCDX2", d.medis_id, Esc(d.name)),
                            p.instance_id, "", "", Yyyymmdd(p.onset_day), "",
                            p.resolved_day >= 0 ? Yyyymmdd(p.resolved_day) : "",
                            fmt::format("{}^^I10^{}^JHSD0004", d.icd10, p.inpatient ? "I^入院時" : "O^外来時"), "", "",
                            "", "", "", Yyyymmdd(p.onset_day), Esc(d.name),
                            p.main ? "1^主診断^JHSD0007" : "2^副診断^JHSD0007"}};
    s.push_back(std::move(prb));
    s.push_back({"ZPR", {"", fmt::format("{}^{}^MDCDX2", d.medis_id, Esc(d.name)), "", "",
                         fmt::format("{}^{}^MDCDX2", d.medis_exchange, Esc(d.name))}});
  }
  SegmentData orc{"ORC", {"NW", problems.empty() ? std::string(15, '9') : problems.front().instance_id}};
  orc.fields.resize(29);
  orc.fields[11] = Xcn(*team.doctor);
  orc.fields[16] = DeptField(team);
  orc.fields[28] = "O^外来患者オーダ^HL70482";
  s.push_back(std::move(orc));
  return Finish(std::move(s));
}

namespace {
SegmentData OrderControl(const MessageContext& ctx, const OrderInfo& order, const CareTeam& team, int group) {
  SegmentData orc{"ORC", {order.control, order.order_number, "", std::to_string(group)}};
  orc.fields.resize(29);
  orc.fields[8] = Hl7Seconds(order.ordered);
  orc.fields[11] = Xcn(*team.doctor);
  orc.fields[12] = fmt::format("{}^^^^^C", team.department);
  orc.fields[16] = DeptField(team);
  orc.fields[20] = Esc(ctx.facility.name);
  orc.fields[21] = fmt::format("^^^^{}^JPN^^{}", Towns()[ctx.facility.town].postal_code, Esc(ctx.facility.address));
  orc.fields[22] = fmt::format("^^^^^^^^^^^{}", ctx.facility.phone);
  orc.fields[28] = order.inpatient ? "I^入院患者オーダ^HL70482" : "O^外来患者オーダ^HL70482";
  return orc;
}

// MSH, PID and PV1: how an order message begins.
std::vector<SegmentData> OrderStart(const MessageContext& ctx, std::string_view type, const CareTeam& team) {
  return {Msh(ctx, type), Pid(ctx, false), OutpatientPv1(team)};
}
}  // namespace

std::string PrescriptionMessage(const MessageContext& ctx, const OrderInfo& order, const CareTeam& team,
                                const std::vector<PrescribedDrug>& drugs) {
  std::vector<SegmentData> s = OrderStart(ctx, "RDE^O11^RDE_O11", team);
  int group = 0;
  for (const PrescribedDrug& pd : drugs) {
    const Drug& d = Drugs()[pd.drug];
    s.push_back(OrderControl(ctx, order, team, ++group));
    const std::string unit = fmt::format("{}^{}^MR9P", d.unit_code, d.unit_name);
    const int daily = d.dose * d.times_per_day;
    SegmentData rxe{"RXE", {"", fmt::format("{}^{}^HOT9", d.hot9, Esc(d.name)), std::to_string(d.dose), "", unit}};
    rxe.fields.resize(21);
    rxe.fields[9] = std::to_string(daily * pd.days);  // RXE-10 dispense amount
    rxe.fields[10] = unit;
    rxe.fields[14] = fmt::format("{}{:02}", order.order_number.substr(3), group);  // RXE-15 prescription number
    rxe.fields[18] = fmt::format("{}^{}&{}&MR9P", daily, d.unit_code, d.unit_name);  // RXE-19 total daily dose
    rxe.fields[20] = order.inpatient ? "IHP^入院処方^MR9P" : "OHP^外来処方^MR9P~OHI^院内処方^MR9P";
    s.push_back(std::move(rxe));
    s.push_back({"TQ1", {"1", "", fmt::format("{}&{}&JAMISDP01", d.usage_code, d.usage_name), "", "",
                         fmt::format("{}^d", pd.days), Hl7Minutes(order.ordered).substr(0, 10)}});
    s.push_back({"RXR", {"PO^口^HL70162"}});
  }
  return Finish(std::move(s));
}

LabResult Evaluate(Lab lab, char sex, double value) {
  const LabTest& t = TestOf(lab);
  const double low = sex == 'F' ? t.low_f : t.low_m, high = sex == 'F' ? t.high_f : t.high_m;
  LabResult r;
  r.lab = lab;
  r.value = Decimal(value, t.decimals);
  const double shown = std::stod(r.value);  // flag what is written, not what was drawn
  auto fmt_limit = [&](double v) { return Decimal(v, t.decimals); };
  if (high < 0) {
    r.range = ">" + fmt_limit(low);
    if (shown <= low) r.flag = "L";
  } else {
    r.range = fmt_limit(low) + "-" + fmt_limit(high);
    if (shown < low) r.flag = "L";
    else if (shown > high) r.flag = "H";
  }
  return r;
}

std::string LabResultMessage(const MessageContext& ctx, const OrderInfo& order, Moment collected,
                             const CareTeam& team, const std::vector<LabResult>& results) {
  std::vector<SegmentData> s;
  s.push_back(Msh(ctx, "OUL^R22^OUL_R22"));
  s.push_back(Pid(ctx, false));
  s.push_back({"PV1", {"0001", order.inpatient ? "I" : "O", fmt::format("{}^^^^^C", team.department)}});
  // One specimen group per JLAC10 material (characters 10-12 of the code): 019 whole blood, 023 serum.
  int spm = 0;
  for (std::string_view material : {"023", "019"}) {
    std::vector<const LabResult*> group;
    for (const LabResult& r : results) {
      if (TestOf(r.lab).jlac10.substr(9, 3) == material) group.push_back(&r);
    }
    if (group.empty()) continue;
    ++spm;
    const std::string specimen_id = fmt::format("{}{}", order.order_number.substr(2), spm);
    s.push_back({"SPM", {std::to_string(spm), specimen_id, "",
                         material == "023" ? "023^血清^JC10" : "019^全血^JC10", "", "", "", "", "", "", "", "", "",
                         "", "", "", "", Hl7Minutes(collected)}});
    SegmentData obr{"OBR", {std::to_string(spm), order.order_number, specimen_id,
                            material == "023" ? "E002^生化学的検査^99O03" : "E001^血液学的検査^99O03", "", "",
                            Hl7Minutes(collected), Hl7Minutes(collected)}};
    obr.fields.resize(22);
    obr.fields[15] = Xcn(*team.doctor);
    obr.fields[21] = Hl7Seconds(order.ordered);
    s.push_back(std::move(obr));
    SegmentData orc = OrderControl(ctx, order, team, spm);
    orc.fields[2] = specimen_id;
    orc.fields[4] = "CM";
    s.push_back(std::move(orc));
    int n = 0;
    for (const LabResult* r : group) {
      const LabTest& t = TestOf(r->lab);
      s.push_back({"OBX", {std::to_string(++n), "NM", fmt::format("{}^{}^JC10", t.jlac10, Esc(t.name)), "", r->value,
                           fmt::format("{}^{}^ISO+", Esc(t.unit), Esc(t.unit)), Esc(r->range), r->flag, "", "", "F",
                           "", "", Hl7Minutes(collected)}});
    }
  }
  return Finish(std::move(s));
}

std::string ImagingOrderMessage(const MessageContext& ctx, const OrderInfo& order, const CareTeam& team,
                                const std::vector<int>& exams) {
  std::vector<SegmentData> s = OrderStart(ctx, "OMG^O19^OMG_O19", team);
  int group = 0;
  for (int e : exams) {
    const ImagingExam& x = ImagingExams()[e];
    s.push_back(OrderControl(ctx, order, team, ++group));
    s.push_back({"TQ1", {"1", "", "", "", "", "", "", "", "R^^HL70485"}});
    SegmentData obr{"OBR", {"", order.order_number, "", fmt::format("{}^{}^JJ1017", x.jj1017, Esc(x.name))}};
    obr.fields.resize(16);
    obr.fields[15] = Xcn(*team.doctor);
    s.push_back(std::move(obr));
  }
  return Finish(std::move(s));
}

std::string DischargeSummaryText(const MessageContext& ctx, const Stay& stay, const CareTeam& team,
                                 const EpisodeInfo& episode, const std::vector<PrescribedDrug>& drugs) {
  const Person& p = ctx.person;
  const RecordedDemographics& r = ctx.recorded;
  const int64_t admitted = DayOf(stay.admitted), discharged = DayOf(stay.discharged);
  std::string comorbid;
  for (const ConditionOnset& c : p.conditions) {
    if (c.onset_day > admitted) continue;
    if (!comorbid.empty()) comorbid += "、";
    comorbid += std::string(InfoOf(c.condition).diagnosis.name);
  }
  std::string text = fmt::format(
      "退院時サマリ\n"
      "医療機関: {} ({})\n"
      "患者ID: {}\n"
      "氏名: {} {} ({} {})\n"
      "生年月日: {}  性別: {}  年齢: {}歳\n"
      "入院日: {}  退院日: {}  在院日数: {}日\n"
      "診療科: {}  主治医: {} {}\n"
      "病棟: {}病棟 {}号室\n\n"
      "入院時診断: {} (ICD-10 {})\n"
      "併存症: {}\n\n"
      "入院経過:\n{}\n\n",
      ctx.facility.name, ctx.facility.id, ctx.local_id, r.kanji_family, r.kanji_given, r.kana_family, r.kana_given,
      JapaneseDate(p.birth_day), p.sex == 'M' ? "男" : "女", AgeOn(p.birth_day, admitted), JapaneseDate(admitted),
      JapaneseDate(discharged), discharged - admitted, DepartmentName(team.department), team.doctor->family,
      team.doctor->given, stay.ward, stay.room, episode.diagnosis.name, episode.diagnosis.icd10,
      comorbid.empty() ? "なし" : comorbid, episode.course);
  text += "退院時処方:\n";
  if (drugs.empty()) text += "  なし\n";
  for (const PrescribedDrug& d : drugs) {
    const Drug& drug = Drugs()[d.drug];
    text += fmt::format("  {} {}{} {} {}日分\n", drug.name, drug.dose, drug.unit_name, drug.usage_name, d.days);
  }
  text += fmt::format("\n転帰: 軽快退院\n今後の方針: 外来にて経過観察とする。\n\n記載日: {}  記載者: {} {}\n",
                      JapaneseDate(discharged), team.doctor->family, team.doctor->given);
  return text;
}

}  // namespace renkei::gen
