#include "cli/gen_commands.h"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gen/region.h"

namespace renkei::cli {
namespace {

// Set by SIGINT/SIGTERM so that a long generation stops cleanly with a summary.
std::atomic<bool> g_gen_stop{false};
extern "C" void OnGenStopSignal(int) { g_gen_stop.store(true); }

// The flags as typed: parsed here, so that every bad value gets a precise message and exit 2.
struct RegionFlags {
  std::string facilities = "5", hospitals, patients = "2000", years = "5", seed = "1", records_per_year = "3",
              multi_facility = "0.4", end_date = "2026-10-31", threads = "2", out;
  bool force = false;
  bool as_json = false;
  bool no_progress = false;
};

template <typename T>
Status ParseWhole(std::string_view flag, const std::string& text, T* out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, *out);
  if (text.empty() || ec != std::errc() || p != end) {
    return InvalidArgument(fmt::format("{}: '{}' is not a whole number", flag, text));
  }
  return Status::Ok();
}

Status ParseDecimal(std::string_view flag, const std::string& text, double* out) {
  try {
    size_t used = 0;
    *out = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    return InvalidArgument(fmt::format("{}: '{}' is not a number", flag, text));
  }
  return Status::Ok();
}

StatusOr<gen::RegionOptions> OptionsFrom(const RegionFlags& f) {
  gen::RegionOptions o;
  RENKEI_RETURN_IF_ERROR(ParseWhole("--facilities", f.facilities, &o.facilities));
  if (!f.hospitals.empty()) RENKEI_RETURN_IF_ERROR(ParseWhole("--hospitals", f.hospitals, &o.hospitals));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--patients", f.patients, &o.patients));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--years", f.years, &o.years));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--seed", f.seed, &o.seed));
  RENKEI_RETURN_IF_ERROR(ParseDecimal("--records-per-year", f.records_per_year, &o.records_per_year));
  RENKEI_RETURN_IF_ERROR(ParseDecimal("--multi-facility", f.multi_facility, &o.multi_facility));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--threads", f.threads, &o.writer_threads));
  o.end_date = f.end_date;
  o.out = f.out;
  o.force = f.force;
  RENKEI_RETURN_IF_ERROR(gen::ValidateRegionOptions(o));
  return o;
}

gen::RegionProgressFn ProgressLine() {
  if (!::isatty(STDERR_FILENO)) return nullptr;
  auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [start](const gen::RegionProgress& p) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
    fmt::print(stderr, "\r{}/{} patients  {} files  {:.1f} MB  {:.0f} patients/s   ", p.persons_done, p.persons_total,
               p.files, p.bytes / 1e6, secs > 0 ? p.persons_done / secs : 0.0);
    if (p.persons_done >= p.persons_total) fmt::print(stderr, "\n");
  };
}

int RunRegion(const RegionFlags& flags) {
  auto options = OptionsFrom(flags);
  if (!options.ok()) {
    std::cerr << "renkei gen region: " << options.status().message() << "\n";
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = OnGenStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  auto summary = gen::GenerateRegion(*options, flags.no_progress ? nullptr : ProgressLine(), &g_gen_stop);
  if (!summary.ok()) {
    std::cerr << "renkei gen region: " << summary.status().message() << "\n";
    return summary.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  const gen::RegionSummary& s = *summary;
  const bool complete = s.persons == options->patients;
  if (flags.as_json) {
    nlohmann::json j = {{"out", s.out},
                        {"seed", options->seed},
                        {"end_date", options->end_date},
                        {"years", options->years},
                        {"facilities", s.facilities},
                        {"hospitals", s.hospitals},
                        {"clinics", s.facilities - s.hospitals},
                        {"patients", s.persons},
                        {"complete", complete},
                        {"registrations", s.registrations},
                        {"multi_facility_patients", s.multi_facility_persons},
                        {"registrations_with_variants", s.variant_registrations},
                        {"files", s.files},
                        {"documents", s.documents},
                        {"bytes", s.bytes},
                        {"files_per_type", s.files_by_type},
                        {"seconds", s.seconds},
                        {"patients_per_second", s.seconds > 0 ? s.persons / s.seconds : 0.0},
                        {"files_per_second", s.seconds > 0 ? s.files / s.seconds : 0.0}};
    std::cout << j.dump(2) << "\n";
  } else {
    fmt::print("Region in {}: {} facilities ({} hospitals, {} clinics), {} patients{}\n", s.out, s.facilities,
               s.hospitals, s.facilities - s.hospitals, s.persons, complete ? "" : " (stopped early)");
    fmt::print("  {} registrations, {} patients at more than one facility, {} registrations recorded with variants\n",
               s.registrations, s.multi_facility_persons, s.variant_registrations);
    fmt::print("  {} files ({} discharge summaries), {:.1f} MB\n", s.files, s.documents, s.bytes / 1e6);
    fmt::print("  files per data type:");
    for (const auto& [type, n] : s.files_by_type) fmt::print(" {} {}", type, n);
    fmt::print("\n  took {:.2f} s ({:.0f} patients/s, {:.0f} files/s)\n", s.seconds,
               s.seconds > 0 ? s.persons / s.seconds : 0.0, s.seconds > 0 ? s.files / s.seconds : 0.0);
    fmt::print("  ground truth: {}/ground_truth.csv; facilities: {}/facilities.csv\n", s.out, s.out);
  }
  return complete ? 0 : 1;
}

}  // namespace

void AddGenCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* gen = app.add_subcommand("gen", "Synthetic data: a whole region of facilities and patients for demos and tests");
  gen->require_subcommand(1);
  auto flags = std::make_shared<RegionFlags>();
  CLI::App* region = gen->add_subcommand(
      "region",
      "Write a synthetic region: one SS-MIX2 standardized storage tree per facility (ISO-2022-JP HL7 v2.5:\n"
      "ADT-00/12/22/52/61, PPR-01, OMP-01, OML-11, OMG-01, and discharge summaries in the extended storage),\n"
      "plus DIR/facilities.csv (facility_id,name,kind,folder,...) and DIR/ground_truth.csv\n"
      "(person_id,facility_id,local_patient_id: which local IDs are the same person). The same options\n"
      "always give byte-identical output. Memory stays flat however many patients are asked for.");
  // Every valued option is taken as text and parsed by OptionsFrom, for exact messages.
  struct ValueOption {
    const char* name;
    std::string RegionFlags::*value;
    const char* type;
    const char* help;
  };
  static const ValueOption kOptions[] = {
      {"--facilities", &RegionFlags::facilities, "N", "number of facilities, 1-1000 (default 5)"},
      {"--hospitals", &RegionFlags::hospitals, "N",
       "how many of them are hospitals, the rest clinics (default: half, rounded up)"},
      {"--patients", &RegionFlags::patients, "M", "number of persons, 1-100000000 (default 2000)"},
      {"--years", &RegionFlags::years, "Y", "years of history ending at --end-date, 1-50 (default 5)"},
      {"--seed", &RegionFlags::seed, "S", "random seed, a whole number 0-18446744073709551615 (default 1)"},
      {"--records-per-year", &RegionFlags::records_per_year, "R",
       "density: mean outpatient visits per year of a patient in chronic care (others see a\n"
       "third of that); each visit writes 1-4 files. 0-100 (default 3); use 0.5 for huge regions"},
      {"--multi-facility", &RegionFlags::multi_facility, "SHARE",
       "share of persons registered at more than one facility, 0-1 (default 0.4)"},
      {"--end-date", &RegionFlags::end_date, "DATE", "last day of the history, YYYY-MM-DD (default 2026-10-31)"},
      {"--threads", &RegionFlags::threads, "N",
       "threads writing files while one generates, 0-16 (default 2); output is the same for any value"},
      {"--out", &RegionFlags::out, "DIR", "output folder (required; must be empty or absent unless --force)"},
  };
  for (const ValueOption& o : kOptions) region->add_option(o.name, (*flags).*(o.value), o.help)->type_name(o.type);
  region->add_flag("--force", flags->force,
                   "write into a non-empty folder; a previous region there (its CSV files and the trees\n"
                   "its facilities.csv lists) is removed first, nothing else is");
  region->add_flag("--json", flags->as_json, "print the summary as JSON (for scripts)");
  region->add_flag("--no-progress", flags->no_progress, "no progress line on a terminal");
  (void)global;
  region->callback([flags, exit_code] { *exit_code = RunRegion(*flags); });
}

}  // namespace renkei::cli
