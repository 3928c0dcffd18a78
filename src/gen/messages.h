// The HL7 v2.5 messages (JAHIS style, as in the NHO sample tree) of each SS-MIX2 data type the
// generator writes, and the discharge-summary document of the extended storage. Pure: every
// function returns UTF-8 text; the caller encodes it as ISO-2022-JP and files it. Free text is
// escaped with hl7::Escape; MSH-18 declares ISO IR13 too when a message holds half-width kana.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gen/calendar.h"
#include "gen/catalog.h"
#include "gen/facility.h"
#include "gen/person.h"

namespace renkei::gen {

// Who a message is from and about.
struct MessageContext {
  const Facility& facility;
  const Person& person;
  std::string_view local_id;
  const RecordedDemographics& recorded;
  Moment sent;                // MSH-7, also the file's timestamp
  std::string_view control_id;  // MSH-10
};

// The department and doctor of an encounter or order.
struct CareTeam {
  std::string department;     // SS-MIX2 department code
  const Practitioner* doctor;
};

// ADT-00 (ADT^A08): the patient's demographics, height, weight and insurance.
std::string PatientMessage(const MessageContext& ctx);

// ADT-12 (ADT^A04, or ADT^A11 when the visit is cancelled): an outpatient visit.
std::string VisitMessage(const MessageContext& ctx, Moment visit, const CareTeam& team, bool cancelled);

// ADT-22 (ADT^A01) and ADT-52 (ADT^A03): an admission and its discharge.
struct Stay {
  Moment admitted;
  Moment discharged;
  std::string ward, room, bed;
};
std::string AdmitMessage(const MessageContext& ctx, const Stay& stay, const CareTeam& team);
std::string DischargeMessage(const MessageContext& ctx, const Stay& stay, const CareTeam& team);

// ADT-61 (ADT^A60): allergies (indexes into Allergens()).
std::string AllergyMessage(const MessageContext& ctx, const std::vector<int>& allergies);

// PPR-01 (PPR^ZD1): the problem list.
struct Problem {
  Diagnosis diagnosis;
  std::string instance_id;    // 15 characters
  int64_t onset_day;
  int64_t resolved_day;       // < 0 while the problem continues
  bool inpatient;             // diagnosed during a stay
  bool main;                  // the main diagnosis
};
std::string ProblemMessage(const MessageContext& ctx, const std::vector<Problem>& problems, const CareTeam& team);

// OMP-01 (RDE^O11): a prescription of several drugs (RP), each for `days`.
struct PrescribedDrug {
  int drug;                   // index into Drugs()
  int days;
};
struct OrderInfo {
  std::string order_number;   // 15 digits, also ORC-2
  Moment ordered;             // ORC-9, names the date folder
  std::string control;        // ORC-1: NW new, XO changed, CA cancelled
  bool inpatient = false;
};
std::string PrescriptionMessage(const MessageContext& ctx, const OrderInfo& order, const CareTeam& team,
                                const std::vector<PrescribedDrug>& drugs);

// OML-11 (OUL^R22): laboratory results.
struct LabResult {
  Lab lab;
  std::string value;          // as written in OBX-5
  std::string range;          // OBX-7, "6.6-8.1" or ">60"
  std::string flag;           // OBX-8: "H", "L" or ""
};
// Formats a measured value with its reference range and abnormal flag for the person's sex.
LabResult Evaluate(Lab lab, char sex, double value);
std::string LabResultMessage(const MessageContext& ctx, const OrderInfo& order, Moment collected,
                             const CareTeam& team, const std::vector<LabResult>& results);

// OMG-01 (OMG^O19): a radiology order (indexes into ImagingExams()).
std::string ImagingOrderMessage(const MessageContext& ctx, const OrderInfo& order, const CareTeam& team,
                                const std::vector<int>& exams);

// The discharge summary (退院時サマリ) as UTF-8 text, for the extended storage.
std::string DischargeSummaryText(const MessageContext& ctx, const Stay& stay, const CareTeam& team,
                                 const EpisodeInfo& episode, const std::vector<PrescribedDrug>& drugs);

}  // namespace renkei::gen
