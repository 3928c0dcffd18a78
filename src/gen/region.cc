#include "gen/region.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "gen/calendar.h"
#include "gen/catalog.h"
#include "gen/facility.h"
#include "gen/messages.h"
#include "gen/person.h"
#include "gen/random.h"
#include "gen/tables.h"
#include "ssmix2/path.h"
#include "text/iso2022jp.h"

namespace renkei::gen {
namespace {

namespace fs = std::filesystem;
using ssmix2::ConditionFlag;
using ssmix2::RecordKey;

constexpr std::string_view kNoOrder = "999999999999999";
// The extended-storage type folder of discharge summaries: a local code and LOINC 18842-5.
constexpr std::string_view kSummaryType = "DS01^退院時サマリ^99RENKEI^18842-5^退院時サマリー^LN";
constexpr std::string_view kSummaryCode = "18842-5";

// Writes files under the output folder, creating folders as needed. Most of the cost of a
// region is the file system's (a folder and a file per record), so `threads` writer threads
// take the files from a small bounded queue while generation goes on; with 0 threads every
// file is written at once. The content and names of the files do not depend on the threads.
class TreeWriter {
 public:
  TreeWriter(std::string root, int threads) : root_(std::move(root)) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~TreeWriter() { Finish().IgnoreError(); }

  // Queues (or writes) one file. Returns the first error any write has met so far.
  Status Write(const std::string& relative, std::string bytes) {
    std::string path = root_ + "/" + relative;
    if (workers_.empty()) return WriteNow(path, bytes);
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < kQueueLimit || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.emplace_back(std::move(path), std::move(bytes));
    not_empty_.notify_one();
    return Status::Ok();
  }
  // Waits until every queued file is written; returns the first error.
  Status Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    not_empty_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  static constexpr size_t kQueueLimit = 2048;

  void Work() {
    while (true) {
      std::pair<std::string, std::string> item;
      {
        std::unique_lock lock(mu_);
        not_empty_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      not_full_.notify_one();
      Status s = WriteNow(item.first, item.second);
      if (!s.ok()) {
        std::lock_guard lock(mu_);
        if (error_.ok()) error_ = s;
        not_full_.notify_all();
      }
    }
  }

  // Opens first and makes the folders only when they are missing: one system call for a file
  // whose folder exists.
  static Status WriteNow(const std::string& path, std::string_view bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT) {
      std::error_code ec;
      const std::string dir = path.substr(0, path.rfind('/'));
      fs::create_directories(dir, ec);
      if (ec) return Unavailable(fmt::format("cannot create folder {}: {}", dir, ec.message()));
      fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    }
    if (fd < 0) return Unavailable(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::close(fd);
        return Unavailable(fmt::format("cannot write {}: {}", path, std::strerror(err)));
      }
      done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) return Unavailable(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    return Status::Ok();
  }

  const std::string root_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::pair<std::string, std::string>> queue_;  // guarded by mu_
  bool done_ = false;                                      // guarded by mu_
  Status error_;                                           // guarded by mu_: the first failure
  std::vector<std::thread> workers_;
};

// Counters of one facility: the only state kept across persons.
struct FacilityCounters {
  uint64_t orders = 0;
  uint64_t messages = 0;
};

// One registration being written: the person at one facility.
class RegistrationWriter {
 public:
  RegistrationWriter(const Facility& facility, FacilityCounters& counters, const Person& person, std::string local_id,
                     const Window& window, Rng& rng, TreeWriter& tree, RegionSummary& summary)
      : facility_(facility), counters_(counters), person_(person), local_id_(std::move(local_id)), window_(window),
        rng_(rng), tree_(tree), summary_(summary) {}

  // Writes everything the facility holds about the person, registered on `registered_day` and
  // seen until `last_day`; `variants` receives how its record differs from the truth.
  Status Run(bool primary, int64_t registered_day, int64_t last_day, double visits_per_year,
             RecordingVariants* variants);
  // After Run: the demographics of the registration's last ADT-00.
  const RecordedDemographics& recorded() const { return recorded_; }

 private:
  std::string NextOrder() { return fmt::format("{:015}", ++counters_.orders); }
  std::string NextControl() { return fmt::format("{:012}", ++counters_.messages); }
  MessageContext Context(Moment sent, const std::string& control) const {
    return {facility_, person_, local_id_, recorded_, sent, control};
  }
  // Encodes and files a message of `type` under `date` ("-" for undated types).
  Status File(std::string_view type, std::string_view date, std::string_view order, Moment sent,
              std::string_view department, ConditionFlag flag, const std::string& text);
  Status Document(std::string_view date, std::string_view order, Moment sent, std::string_view department,
                  const std::string& text);
  CareTeam Team(std::string_view department) {
    CareTeam t;
    t.doctor = &facility_.DoctorFor(department, rng_.Next(), &t.department);
    return t;
  }
  // A moment of the day between first_hour:00 and last_hour:59:59.999.
  Moment At(int64_t day, int first_hour, int last_hour) { return MomentOn(rng_, day, first_hour, last_hour); }
  // A moment in outpatient hours.
  Moment ClinicTime(int64_t day) { return At(day, 9, 15); }
  // Minutes later, for the file that records an event.
  Moment Later(Moment m, int min_minutes, int max_minutes) {
    const int64_t minutes = rng_.Between(min_minutes, max_minutes);
    return m + minutes * 60'000 + static_cast<int64_t>(rng_.Below(60'000));
  }
  std::vector<LabResult> Labs(const std::vector<Lab>& panel, int64_t day);
  std::vector<PrescribedDrug> ChronicDrugs(int64_t day, int days);
  Status WritePatient(bool primary, int64_t registered_day, int64_t last_day, RecordingVariants* variants);
  Status WriteVisit(int64_t day, bool chronic_care, int next_visit_gap);
  Status WriteAdmission(int64_t day, int64_t last_day);
  Status WriteProblems();

  const Facility& facility_;
  FacilityCounters& counters_;
  const Person& person_;
  std::string local_id_;
  Window window_;
  Rng& rng_;
  TreeWriter& tree_;
  RegionSummary& summary_;
  RecordedDemographics recorded_;
  std::vector<Problem> problems_;
  std::vector<int64_t> problem_days_;  // when each problem was recorded, parallel to problems_
};

Status RegistrationWriter::File(std::string_view type, std::string_view date, std::string_view order, Moment sent,
                                std::string_view department, ConditionFlag flag, const std::string& text) {
  auto bytes = text::EncodeIso2022Jp(text);
  if (!bytes.ok()) return bytes.status().Annotate(fmt::format("encoding a {} message", type));
  RecordKey key{local_id_, std::string(date), std::string(type), std::string(order)};
  const int64_t size = static_cast<int64_t>(bytes->size());
  RENKEI_RETURN_IF_ERROR(tree_.Write(facility_.id + "/" + ssmix2::MakePath(key, Timestamp17(sent), department, flag),
                                     std::move(bytes).value()));
  ++summary_.files;
  summary_.bytes += size;
  ++summary_.files_by_type[std::string(type)];
  return Status::Ok();
}

Status RegistrationWriter::Document(std::string_view date, std::string_view order, Moment sent,
                                    std::string_view department, const std::string& text) {
  RecordKey key{local_id_, std::string(date), std::string(kSummaryCode), std::string(order)};
  std::string path = ssmix2::MakePath(key, Timestamp17(sent), department, ConditionFlag::kValid);
  // MakePath names the type folder by the code; the extended storage names it by the full type.
  size_t name = path.rfind('/');
  size_t type = path.rfind('/', name - 1);
  path = path.substr(0, type + 1) + std::string(kSummaryType) + path.substr(name) + "/summary.txt";
  RENKEI_RETURN_IF_ERROR(tree_.Write(facility_.id + "/" + path, text));
  ++summary_.files;
  ++summary_.documents;
  summary_.bytes += static_cast<int64_t>(text.size());
  ++summary_.files_by_type[std::string(kSummaryCode)];
  return Status::Ok();
}

std::vector<LabResult> RegistrationWriter::Labs(const std::vector<Lab>& panel, int64_t day) {
  std::vector<LabResult> out;
  const double years = static_cast<double>(day - window_.first_day) / 365.25;
  double creatinine = -1;
  for (Lab lab : panel) {
    const LabCourse& c = person_.labs[static_cast<size_t>(lab)];
    double v;
    if (lab == Lab::kEgfr) {
      // Japanese eGFR equation (JSN 2009) from the creatinine of the same specimen.
      if (creatinine < 0) {
        const LabCourse& cr = person_.labs[static_cast<size_t>(Lab::kCreatinine)];
        creatinine = std::max(0.3, rng_.Normal(cr.start + cr.per_year * years, cr.noise_sd));
      }
      const int age = std::max(18, AgeOn(person_.birth_day, day));
      v = 194.0 * std::pow(creatinine, -1.094) * std::pow(static_cast<double>(age), -0.287) *
          (person_.sex == 'F' ? 0.739 : 1.0);
    } else {
      v = rng_.Normal(c.start + c.per_year * years, c.noise_sd);
      const double floor = TestOf(lab).decimals == 0 ? 1 : 0.1;
      v = std::max(v, floor);
      if (lab == Lab::kCreatinine) {
        if (creatinine < 0) creatinine = v;
        else v = creatinine;
      }
    }
    out.push_back(Evaluate(lab, person_.sex, v));
  }
  return out;
}

std::vector<PrescribedDrug> RegistrationWriter::ChronicDrugs(int64_t day, int days) {
  std::vector<PrescribedDrug> out;
  for (const ConditionOnset& c : person_.conditions) {
    if (c.onset_day > day) continue;
    const ConditionInfo& info = InfoOf(c.condition);
    if (info.drugs.empty()) continue;
    // The person's first-line drug for the condition is stable: chosen from their index.
    const int drug = info.drugs[static_cast<size_t>(person_.index + static_cast<int>(c.condition)) % info.drugs.size()];
    if (std::none_of(out.begin(), out.end(), [&](const PrescribedDrug& d) { return d.drug == drug; })) {
      out.push_back({drug, days});
    }
  }
  return out;
}

Status RegistrationWriter::WritePatient(bool primary, int64_t registered_day, int64_t last_day,
                                        RecordingVariants* variants) {
  const RegistrationRecord record =
      RecordRegistration(person_, facility_.habits, primary, registered_day, last_day, rng_);
  recorded_ = record.at_registration;
  const std::string control = NextControl();
  RENKEI_RETURN_IF_ERROR(File("ADT-00", "-", kNoOrder, record.registered, "-", ConditionFlag::kValid,
                              PatientMessage(Context(record.registered, control))));
  if (record.update) {
    recorded_ = record.update->demographics;
    const std::string c2 = NextControl();
    RENKEI_RETURN_IF_ERROR(File("ADT-00", "-", kNoOrder, record.update->sent, "-", ConditionFlag::kValid,
                                PatientMessage(Context(record.update->sent, c2))));
  }
  if (variants) *variants = record.variants;
  if (!person_.allergies.empty() && rng_.Chance(0.8)) {
    const Moment at = Later(record.registered, 5, 30);
    const std::string c3 = NextControl();
    RENKEI_RETURN_IF_ERROR(File("ADT-61", "-", kNoOrder, at, "-", ConditionFlag::kValid,
                                AllergyMessage(Context(at, c3), person_.allergies)));
  }
  return Status::Ok();
}

Status RegistrationWriter::WriteVisit(int64_t day, bool chronic_care, int next_visit_gap) {
  const Moment visit = ClinicTime(day);
  const std::string date = Yyyymmdd(day);
  bool has_chronic = false;
  for (const ConditionOnset& c : person_.conditions) has_chronic |= c.onset_day <= day;
  const bool chronic_visit = chronic_care && has_chronic;
  const EpisodeInfo* episode = nullptr;
  if (!chronic_visit) {
    std::vector<int> acute;
    for (size_t i = 0; i < Episodes().size(); ++i) {
      if (!Episodes()[i].admission) acute.push_back(static_cast<int>(i));
    }
    episode = &Episodes()[acute[rng_.Below(acute.size())]];
  }
  std::string department = "01";
  if (chronic_visit) {
    for (const ConditionOnset& c : person_.conditions) {
      if (c.onset_day <= day && InfoOf(c.condition).department != "01") department = InfoOf(c.condition).department;
    }
    if (rng_.Chance(0.7)) department = "01";
  } else {
    department = std::string(episode->department);
  }
  CareTeam team = Team(department);

  // ADT-12: the visit (rarely cancelled later: a deletion with condition flag 0).
  const std::string visit_order = NextOrder();
  const Moment received = Later(visit, 1, 10);
  RENKEI_RETURN_IF_ERROR(File("ADT-12", date, visit_order, received, team.department, ConditionFlag::kValid,
                              VisitMessage(Context(received, NextControl()), visit, team, false)));
  if (rng_.Chance(0.01)) {
    const Moment cancelled = Later(received, 10, 90);
    return File("ADT-12", date, visit_order, cancelled, team.department, ConditionFlag::kDeleted,
                VisitMessage(Context(cancelled, NextControl()), visit, team, true));
  }

  // OMP-01: chronic medication until the next visit, or a short course for an acute problem.
  std::vector<PrescribedDrug> drugs;
  if (chronic_visit) {
    const int days = std::clamp((next_visit_gap + 6) / 7 * 7, 14, 90);
    drugs = ChronicDrugs(day, days);
  } else if (rng_.Chance(0.8)) {
    const int days = static_cast<int>(rng_.Between(3, 7));
    for (int d : episode->drugs) drugs.push_back({d, days});
  }
  if (!drugs.empty()) {
    OrderInfo order{NextOrder(), Later(visit, 5, 40), "NW", false};
    const Moment sent = Later(order.ordered, 0, 5);
    RENKEI_RETURN_IF_ERROR(File("OMP-01", date, order.order_number, sent, team.department, ConditionFlag::kValid,
                                PrescriptionMessage(Context(sent, NextControl()), order, team, drugs)));
    const double r = rng_.Unit();
    if (r < 0.04) {
      // The doctor changed the prescription: a newer version of the same order.
      order.control = "XO";
      for (PrescribedDrug& d : drugs) d.days += 7;
      const Moment changed = Later(sent, 5, 60);
      RENKEI_RETURN_IF_ERROR(File("OMP-01", date, order.order_number, changed, team.department, ConditionFlag::kValid,
                                  PrescriptionMessage(Context(changed, NextControl()), order, team, drugs)));
    } else if (r < 0.05) {
      // Cancelled before dispensing: the order's deletion (condition flag 0).
      order.control = "CA";
      const Moment cancelled = Later(sent, 5, 60);
      RENKEI_RETURN_IF_ERROR(File("OMP-01", date, order.order_number, cancelled, team.department,
                                  ConditionFlag::kDeleted,
                                  PrescriptionMessage(Context(cancelled, NextControl()), order, team, drugs)));
    }
  }

  // OML-11: results of the conditions followed here, about every other chronic visit.
  std::vector<Lab> panel;
  if (chronic_visit && rng_.Chance(0.5)) {
    for (const ConditionOnset& c : person_.conditions) {
      if (c.onset_day > day) continue;
      for (Lab l : InfoOf(c.condition).labs) {
        if (std::find(panel.begin(), panel.end(), l) == panel.end()) panel.push_back(l);
      }
    }
  }
  if (facility_.hospital && (chronic_visit ? !panel.empty() : rng_.Chance(0.3))) {
    for (Lab l : {Lab::kTotalProtein, Lab::kAlbumin, Lab::kAst, Lab::kAlt, Lab::kGgt}) panel.push_back(l);
  }
  if (!panel.empty()) {
    std::sort(panel.begin(), panel.end());
    panel.erase(std::unique(panel.begin(), panel.end()), panel.end());
    const Moment collected = Later(visit, 10, 30);
    OrderInfo order{NextOrder(), Later(collected, 60, 150), "SC", false};
    const Moment sent = Later(order.ordered, 0, 2);
    RENKEI_RETURN_IF_ERROR(File("OML-11", date, order.order_number, sent, team.department, ConditionFlag::kValid,
                                LabResultMessage(Context(sent, NextControl()), order, collected, team,
                                                 Labs(panel, day))));
  }

  // OMG-01: a chest (or abdominal) radiograph now and then at hospitals.
  if (facility_.hospital && rng_.Chance(0.08)) {
    std::vector<int> exams = rng_.Chance(0.7) ? std::vector<int>{0, 1} : std::vector<int>{2, 3};
    OrderInfo order{NextOrder(), Later(visit, 5, 30), "NW", false};
    const Moment sent = Later(order.ordered, 0, 3);
    RENKEI_RETURN_IF_ERROR(File("OMG-01", date, order.order_number, sent, team.department, ConditionFlag::kValid,
                                ImagingOrderMessage(Context(sent, NextControl()), order, team, exams)));
  }
  if (episode != nullptr) {
    problems_.push_back({episode->diagnosis, NextOrder(), day, day + rng_.Between(5, 14), false, false});
    problem_days_.push_back(day);
  }
  return Status::Ok();
}

Status RegistrationWriter::WriteAdmission(int64_t day, int64_t last_day) {
  std::vector<int> choices;
  for (size_t i = 0; i < Episodes().size(); ++i) {
    if (Episodes()[i].admission) choices.push_back(static_cast<int>(i));
  }
  const EpisodeInfo& episode = Episodes()[choices[rng_.Below(choices.size())]];
  const int64_t discharge_day = day + rng_.Between(episode.min_stay_days, episode.max_stay_days);
  if (discharge_day > last_day) return Status::Ok();  // still in hospital at the end: not written
  CareTeam team = Team(episode.department);
  Stay stay;
  stay.admitted = At(day, 10, 16);
  stay.discharged = At(discharge_day, 10, 11);
  const int floor = static_cast<int>(rng_.Between(3, 8));
  stay.ward = fmt::format("{}{}", floor, rng_.Below(2) + 1);
  stay.room = fmt::format("{}{:02}", floor, rng_.Between(1, 20));
  stay.bed = std::to_string(rng_.Between(1, 4));
  const std::string admit_date = Yyyymmdd(day), discharge_date = Yyyymmdd(discharge_day);

  const std::string stay_number = NextOrder();
  const Moment admitted_sent = Later(stay.admitted, 1, 20);
  RENKEI_RETURN_IF_ERROR(File("ADT-22", admit_date, stay_number, admitted_sent, team.department, ConditionFlag::kValid,
                              AdmitMessage(Context(admitted_sent, NextControl()), stay, team)));
  // Admission bloods and, for chest and heart problems, a chest radiograph.
  {
    std::vector<Lab> panel = {Lab::kTotalProtein, Lab::kAlbumin, Lab::kAst, Lab::kAlt, Lab::kGgt, Lab::kCreatinine,
                              Lab::kEgfr, Lab::kGlucose};
    std::sort(panel.begin(), panel.end());
    const Moment collected = Later(stay.admitted, 20, 60);
    OrderInfo order{NextOrder(), Later(collected, 60, 120), "SC", true};
    const Moment sent = Later(order.ordered, 0, 2);
    if (DayOf(sent) == day) {
      RENKEI_RETURN_IF_ERROR(File("OML-11", admit_date, order.order_number, sent, team.department, ConditionFlag::kValid,
                                  LabResultMessage(Context(sent, NextControl()), order, collected, team,
                                                   Labs(panel, day))));
    }
  }
  if (episode.department == "45" || episode.department == "08") {
    OrderInfo order{NextOrder(), Later(stay.admitted, 10, 40), "NW", true};
    const Moment sent = Later(order.ordered, 0, 3);
    RENKEI_RETURN_IF_ERROR(File("OMG-01", admit_date, order.order_number, sent, team.department, ConditionFlag::kValid,
                                ImagingOrderMessage(Context(sent, NextControl()), order, team, {0})));
  }
  // Discharge, the discharge prescription and the summary.
  const Moment discharged_sent = Later(stay.discharged, 1, 20);
  RENKEI_RETURN_IF_ERROR(File("ADT-52", discharge_date, stay_number, discharged_sent, team.department,
                              ConditionFlag::kValid, DischargeMessage(Context(discharged_sent, NextControl()), stay, team)));
  std::vector<PrescribedDrug> drugs = ChronicDrugs(discharge_day, 14);
  for (int d : episode.drugs) {
    if (std::none_of(drugs.begin(), drugs.end(), [&](const PrescribedDrug& p) { return p.drug == d; })) {
      drugs.push_back({d, 7});
    }
  }
  if (!drugs.empty()) {
    OrderInfo order{NextOrder(), At(discharge_day, 9, 9), "NW", true};
    const Moment sent = Later(order.ordered, 0, 5);
    RENKEI_RETURN_IF_ERROR(File("OMP-01", discharge_date, order.order_number, sent, team.department,
                                ConditionFlag::kValid, PrescriptionMessage(Context(sent, NextControl()), order, team, drugs)));
  }
  const Moment written = Later(stay.discharged, 30, 240);
  RENKEI_RETURN_IF_ERROR(Document(discharge_date, stay_number, written, team.department,
                                  DischargeSummaryText(Context(written, ""), stay, team, episode, drugs)));
  problems_.push_back({episode.diagnosis, NextOrder(), day, discharge_day, true, true});
  problem_days_.push_back(day);
  return Status::Ok();
}

Status RegistrationWriter::WriteProblems() {
  if (problems_.empty()) return Status::Ok();
  CareTeam team = Team("01");
  // The list as it stood at each day a problem was added; the last two states are written,
  // the earlier one becoming a superseded version of the same record.
  std::vector<size_t> order(problems_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return problem_days_[a] < problem_days_[b]; });
  const int64_t last = problem_days_[order.back()];
  std::vector<int64_t> states;
  for (size_t i : order) {
    if (states.empty() || states.back() != problem_days_[i]) states.push_back(problem_days_[i]);
  }
  const size_t first_state = states.size() >= 2 ? states.size() - 2 : 0;
  for (size_t s = first_state; s < states.size(); ++s) {
    std::vector<Problem> list;
    for (size_t i : order) {
      if (problem_days_[i] > states[s]) continue;
      Problem p = problems_[i];
      if (p.resolved_day > states[s] || p.resolved_day > last) p.resolved_day = -1;
      list.push_back(p);
    }
    list.front().main = true;
    const Moment sent = At(states[s], 17, 17);
    RENKEI_RETURN_IF_ERROR(File("PPR-01", "-", kNoOrder, sent, team.department, ConditionFlag::kValid,
                                ProblemMessage(Context(sent, NextControl()), list, team)));
  }
  return Status::Ok();
}

Status RegistrationWriter::Run(bool primary, int64_t registered_day, int64_t last_day, double visits_per_year,
                               RecordingVariants* variants) {
  RENKEI_RETURN_IF_ERROR(WritePatient(primary, registered_day, last_day, variants));
  // Chronic care: the first registration follows the person's conditions; a later one at a
  // hospital sometimes does too (a specialist clinic), the others see acute problems only.
  const bool chronic_care = primary || (facility_.hospital && rng_.Chance(0.3));
  const int64_t first = std::max(registered_day, window_.first_day);
  if (first <= last_day) {
    bool has_conditions = false;
    for (const ConditionOnset& c : person_.conditions) has_conditions |= c.onset_day <= last_day;
    const double years = static_cast<double>(last_day - first + 1) / 365.25;
    const double mean = visits_per_year * years * (chronic_care && has_conditions ? 1.0 : 0.3);
    const double drawn = mean * (0.6 + 0.8 * rng_.Unit());
    int64_t visits = static_cast<int64_t>(drawn) + (rng_.Unit() < drawn - std::floor(drawn) ? 1 : 0);
    visits = std::max<int64_t>(visits, registered_day >= window_.first_day ? 1 : 0);
    std::vector<int64_t> days;
    days.reserve(static_cast<size_t>(visits));
    if (registered_day >= window_.first_day && visits > 0) days.push_back(registered_day);
    while (static_cast<int64_t>(days.size()) < visits) days.push_back(rng_.Between(first, last_day));
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    for (size_t i = 0; i < days.size(); ++i) {
      const int gap = i + 1 < days.size() ? static_cast<int>(days[i + 1] - days[i]) : 28;
      RENKEI_RETURN_IF_ERROR(WriteVisit(days[i], chronic_care, gap));
    }
    if (facility_.hospital) {
      const int age = AgeOn(person_.birth_day, last_day);
      const double per_year = age >= 75 ? 0.12 : age >= 60 ? 0.06 : 0.02;
      const double expected = per_year * years * (primary ? 1.0 : 0.7);
      int admissions = 0;
      for (double left = expected; left > 0 && admissions < 4; left -= 1.0) {
        if (rng_.Unit() < std::min(1.0, left)) ++admissions;
      }
      for (int a = 0; a < admissions; ++a) RENKEI_RETURN_IF_ERROR(WriteAdmission(rng_.Between(first, last_day), last_day));
    }
  }
  // The problem list: the person's conditions followed here and the episodes seen.
  if (chronic_care) {
    for (const ConditionOnset& c : person_.conditions) {
      if (c.onset_day > last_day) continue;
      problems_.push_back({InfoOf(c.condition).diagnosis, NextOrder(), c.onset_day, -1, false, false});
      problem_days_.push_back(std::clamp(c.onset_day, std::max(registered_day, window_.first_day), last_day));
    }
  }
  return WriteProblems();
}

}  // namespace

Status ValidateRegionOptions(const RegionOptions& o) {
  RENKEI_RETURN_IF_ERROR(ValidatePopulationOptions(o.population, "--patients"));
  if (!(o.records_per_year >= 0 && o.records_per_year <= 100)) {
    return InvalidArgument(fmt::format("--records-per-year must be between 0 and 100 (got {})", o.records_per_year));
  }
  if (o.writer_threads < 0 || o.writer_threads > 16) {
    return InvalidArgument(fmt::format("--threads must be between 0 and 16 (got {})", o.writer_threads));
  }
  if (o.out.empty()) return InvalidArgument("--out is required: the folder to write the region to");
  return Status::Ok();
}

StatusOr<RegionSummary> GenerateRegion(const RegionOptions& o, const RegionProgressFn& progress,
                                       const std::atomic<bool>* cancel) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  RENKEI_RETURN_IF_ERROR(ValidateRegionOptions(o));
  RENKEI_RETURN_IF_ERROR(PrepareOutputFolder(o.out, o.force));
  const PopulationOptions& pop = o.population;
  const Window window = HistoryWindow(pop);
  const int hospitals = pop.HospitalCount();
  const std::vector<Facility> facilities = MakeFacilities(pop.seed, pop.facilities, hospitals);
  const FacilityChooser chooser(facilities);
  std::vector<FacilityCounters> counters(facilities.size());
  LocalIdAssigner local_ids(facilities);
  RENKEI_RETURN_IF_ERROR(WriteFacilities(o.out, facilities, /*with_trees=*/true));
  RENKEI_ASSIGN_OR_RETURN(std::unique_ptr<RegistrationTables> tables, RegistrationTables::Create(o.out));

  RegionSummary summary;
  summary.out = o.out;
  summary.facilities = pop.facilities;
  summary.hospitals = hospitals;
  TreeWriter tree(o.out, o.writer_threads);
  auto last_report = Clock::now();
  for (int64_t i = 0; i < pop.persons; ++i) {
    if (cancel && cancel->load()) break;
    const Person person = MakePerson(pop.seed, i, window);
    const std::vector<PlannedRegistration> plan = chooser.Plan(pop.seed, person, window, pop.multi_facility);
    if (plan.size() > 1) ++summary.multi_facility_persons;
    for (size_t j = 0; j < plan.size(); ++j) {
      const Facility& fac = facilities[plan[j].facility];
      FacilityCounters& c = counters[plan[j].facility];
      RENKEI_ASSIGN_OR_RETURN(const std::string local_id, local_ids.Next(plan[j].facility));
      ++summary.registrations;
      Rng history = RegistrationStream(pop.seed, plan[j].facility, i);
      RegistrationWriter writer(fac, c, person, local_id, window, history, tree, summary);
      RecordingVariants variants;
      RENKEI_RETURN_IF_ERROR(writer.Run(j == 0, plan[j].registered_day, plan[j].last_day, o.records_per_year, &variants));
      if (variants.any()) ++summary.variant_registrations;
      RENKEI_RETURN_IF_ERROR(tables->Add(fac, local_id, person.person_id, DemographicCells(person, writer.recorded())));
    }
    ++summary.persons;
    if (progress && Clock::now() - last_report > std::chrono::milliseconds(200)) {
      progress({summary.persons, pop.persons, summary.files, summary.bytes});
      last_report = Clock::now();
    }
  }
  RENKEI_RETURN_IF_ERROR(tree.Finish());
  RENKEI_RETURN_IF_ERROR(tables->Close());
  if (progress) progress({summary.persons, pop.persons, summary.files, summary.bytes});
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace renkei::gen
