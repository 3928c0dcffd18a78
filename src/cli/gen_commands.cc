#include "cli/gen_commands.h"

#include <unistd.h>

#include <charconv>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/stop_signal.h"
#include "gen/people.h"
#include "gen/region.h"

namespace renkei::cli {
namespace {

// The flags as typed: parsed here, so that every bad value gets a precise message and exit 2.
// The population flags are common to `gen region` and `gen people`.
struct PopulationFlags {
  std::string facilities = "5", hospitals, persons = "2000", years = "5", seed = "1", multi_facility = "0.4",
              end_date = "2026-10-31";
};

struct RegionFlags {
  PopulationFlags population;
  std::string records_per_year = "3", threads = "2", out;
  bool force = false;
  bool as_json = false;
  bool no_progress = false;
};

struct PeopleFlags {
  PopulationFlags population;
  std::string threads = "2", out;
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

// `persons_flag` is how the command names the number of persons.
Status ParsePopulation(const PopulationFlags& f, std::string_view persons_flag, gen::PopulationOptions* o) {
  RENKEI_RETURN_IF_ERROR(ParseWhole("--facilities", f.facilities, &o->facilities));
  if (!f.hospitals.empty()) RENKEI_RETURN_IF_ERROR(ParseWhole("--hospitals", f.hospitals, &o->hospitals));
  RENKEI_RETURN_IF_ERROR(ParseWhole(persons_flag, f.persons, &o->persons));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--years", f.years, &o->years));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--seed", f.seed, &o->seed));
  RENKEI_RETURN_IF_ERROR(ParseDecimal("--multi-facility", f.multi_facility, &o->multi_facility));
  o->end_date = f.end_date;
  return Status::Ok();
}

StatusOr<gen::RegionOptions> OptionsFrom(const RegionFlags& f) {
  gen::RegionOptions o;
  RENKEI_RETURN_IF_ERROR(ParsePopulation(f.population, "--patients", &o.population));
  RENKEI_RETURN_IF_ERROR(ParseDecimal("--records-per-year", f.records_per_year, &o.records_per_year));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--threads", f.threads, &o.writer_threads));
  o.out = f.out;
  o.force = f.force;
  RENKEI_RETURN_IF_ERROR(gen::ValidateRegionOptions(o));
  return o;
}

StatusOr<gen::PeopleOptions> OptionsFrom(const PeopleFlags& f) {
  gen::PeopleOptions o;
  RENKEI_RETURN_IF_ERROR(ParsePopulation(f.population, "--persons", &o.population));
  RENKEI_RETURN_IF_ERROR(ParseWhole("--threads", f.threads, &o.threads));
  o.out = f.out;
  o.force = f.force;
  RENKEI_RETURN_IF_ERROR(gen::ValidatePeopleOptions(o));
  return o;
}

double PerSecond(int64_t n, double seconds) { return seconds > 0 ? n / seconds : 0.0; }

gen::RegionProgressFn ProgressLine() {
  if (!::isatty(STDERR_FILENO)) return nullptr;
  auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [start](const gen::RegionProgress& p) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
    fmt::print(stderr, "\r{}/{} patients  {} files  {:.1f} MB  {:.0f} patients/s   ", p.persons_done, p.persons_total,
               p.files, p.bytes / 1e6, PerSecond(p.persons_done, secs));
    if (p.persons_done >= p.persons_total) fmt::print(stderr, "\n");
  };
}

// The head of both commands' JSON summaries: where, and from which population options.
nlohmann::json PopulationJson(const std::string& out, const gen::PopulationOptions& p, int facilities, int hospitals) {
  return {{"out", out},           {"seed", p.seed},           {"end_date", p.end_date},
          {"years", p.years},     {"facilities", facilities}, {"hospitals", hospitals}};
}

// The exit status of a failed generation, after saying why.
int Failed(std::string_view command, const Status& status) {
  std::cerr << "renkei gen " << command << ": " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int RunRegion(const RegionFlags& flags) {
  auto options = OptionsFrom(flags);
  if (!options.ok()) return Failed("region", options.status());
  InstallStopHandler();  // a long run stops cleanly with a summary
  auto summary = gen::GenerateRegion(*options, flags.no_progress ? nullptr : ProgressLine(), StopFlag());
  if (!summary.ok()) return Failed("region", summary.status());
  const gen::RegionSummary& s = *summary;
  const bool complete = s.persons == options->population.persons;
  if (flags.as_json) {
    nlohmann::json j = PopulationJson(s.out, options->population, s.facilities, s.hospitals);
    j.update({{"clinics", s.facilities - s.hospitals},
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
              {"patients_per_second", PerSecond(s.persons, s.seconds)},
              {"files_per_second", PerSecond(s.files, s.seconds)}});
    std::cout << j.dump(2) << "\n";
  } else {
    fmt::print("Region in {}: {} facilities ({} hospitals, {} clinics), {} patients{}\n", s.out, s.facilities,
               s.hospitals, s.facilities - s.hospitals, s.persons, complete ? "" : " (stopped early)");
    fmt::print("  {} registrations, {} patients at more than one facility, {} registrations recorded with variants\n",
               s.registrations, s.multi_facility_persons, s.variant_registrations);
    fmt::print("  {} files ({} discharge summaries), {:.1f} MB\n", s.files, s.documents, s.bytes / 1e6);
    fmt::print("  files per data type:");
    for (const auto& [type, n] : s.files_by_type) fmt::print(" {} {}", type, n);
    fmt::print("\n  took {:.2f} s ({:.0f} patients/s, {:.0f} files/s)\n", s.seconds, PerSecond(s.persons, s.seconds),
               PerSecond(s.files, s.seconds));
    fmt::print("  records: {0}/patients.csv; ground truth: {0}/ground_truth.csv; facilities: {0}/facilities.csv\n",
               s.out);
  }
  return complete ? 0 : 1;
}

int RunPeople(const PeopleFlags& flags) {
  auto options = OptionsFrom(flags);
  if (!options.ok()) return Failed("people", options.status());
  InstallStopHandler();  // a long run stops cleanly with a summary
  gen::PeopleProgressFn progress;
  if (!flags.no_progress && ::isatty(STDERR_FILENO)) {
    auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    progress = [start](const gen::PeopleProgress& p) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
      fmt::print(stderr, "\r{}/{} persons  {} registrations  {:.1f} MB  {:.0f} persons/s   ", p.persons_done,
                 p.persons_total, p.registrations, p.bytes / 1e6, PerSecond(p.persons_done, secs));
      if (p.persons_done >= p.persons_total) fmt::print(stderr, "\n");
    };
  }
  auto summary = gen::GeneratePeople(*options, progress, StopFlag());
  if (!summary.ok()) return Failed("people", summary.status());
  const gen::PeopleSummary& s = *summary;
  const bool complete = s.persons == options->population.persons;
  if (flags.as_json) {
    nlohmann::json j = PopulationJson(s.out, options->population, s.facilities, s.hospitals);
    j.update({{"persons", s.persons},
              {"complete", complete},
              {"registrations", s.registrations},
              {"multi_facility_persons", s.multi_facility_persons},
              {"variant_registrations", s.variant_registrations},
              {"bytes", s.bytes},
              {"seconds", s.seconds},
              {"persons_per_second", PerSecond(s.persons, s.seconds)}});
    std::cout << j.dump(2) << "\n";
  } else {
    fmt::print("People in {}: {} persons{} at {} facilities ({} hospitals, {} clinics)\n", s.out, s.persons,
               complete ? "" : " (stopped early)", s.facilities, s.hospitals, s.facilities - s.hospitals);
    fmt::print("  {} registrations, {} persons at more than one facility, {} registrations recorded with variants\n",
               s.registrations, s.multi_facility_persons, s.variant_registrations);
    fmt::print("  took {:.2f} s ({:.0f} persons/s), {:.1f} MB\n", s.seconds, PerSecond(s.persons, s.seconds),
               s.bytes / 1e6);
    fmt::print("  records: {0}/patients.csv; ground truth: {0}/ground_truth.csv; facilities: {0}/facilities.csv\n",
               s.out);
  }
  return complete ? 0 : 1;
}

// Every valued option is taken as text and parsed by OptionsFrom, for exact messages.
void AddTextOption(CLI::App* command, const char* name, std::string& value, const char* type, const std::string& help) {
  command->add_option(name, value, help)->type_name(type);
}

void AddPopulationOptions(CLI::App* command, PopulationFlags& f, const char* persons_flag) {
  AddTextOption(command, "--facilities", f.facilities, "N", "number of facilities, 1-1000 (default 5)");
  AddTextOption(command, "--hospitals", f.hospitals, "N",
                "how many of them are hospitals, the rest clinics (default: half, rounded up)");
  AddTextOption(command, persons_flag, f.persons, "M", "number of persons, 1-100000000 (default 2000)");
  AddTextOption(command, "--years", f.years, "Y", "years of history ending at --end-date, 1-50 (default 5)");
  AddTextOption(command, "--seed", f.seed, "S", "random seed, a whole number 0-18446744073709551615 (default 1)");
  AddTextOption(command, "--multi-facility", f.multi_facility, "SHARE",
                "share of persons registered at more than one facility, 0-1 (default 0.4)");
  AddTextOption(command, "--end-date", f.end_date, "DATE", "last day of the history, YYYY-MM-DD (default 2026-10-31)");
}

void AddOutputOptions(CLI::App* command, std::string& out, bool& force, bool& as_json, bool& no_progress) {
  AddTextOption(command, "--out", out, "DIR", "output folder (required; must be empty or absent unless --force)");
  command->add_flag("--force", force,
                    "write into a non-empty folder; a previous region there (its CSV files and the trees\n"
                    "its facilities.csv lists) is removed first, nothing else is");
  command->add_flag("--json", as_json, "print the summary as JSON (for scripts)");
  command->add_flag("--no-progress", no_progress, "no progress line on a terminal");
}

}  // namespace

void AddGenCommands(CLI::App& app, const GlobalOptions& global, int* exit_code) {
  CLI::App* gen = app.add_subcommand("gen", "Synthetic data: a whole region of facilities and patients for demos and tests");
  gen->require_subcommand(1);
  (void)global;

  auto region_flags = std::make_shared<RegionFlags>();
  CLI::App* region = gen->add_subcommand(
      "region",
      "Write a synthetic region: one SS-MIX2 standardized storage tree per facility (ISO-2022-JP HL7 v2.5:\n"
      "ADT-00/12/22/52/61, PPR-01, OMP-01, OML-11, OMG-01, and discharge summaries in the extended storage),\n"
      "plus DIR/facilities.csv (facility_id,name,kind,folder,...), DIR/patients.csv (record_id,facility,\n"
      "local_id,family_kanji,...: each registration's demographics as last recorded) and DIR/ground_truth.csv\n"
      "(record_id,person_id,facility_id,local_patient_id: which local IDs are the same person). The same\n"
      "options always give byte-identical output. Memory stays flat however many patients are asked for.");
  AddPopulationOptions(region, region_flags->population, "--patients");
  AddTextOption(region, "--records-per-year", region_flags->records_per_year, "R",
                "density: mean outpatient visits per year of a patient in chronic care (others see a\n"
                "third of that); each visit writes 1-4 files. 0-100 (default 3); use 0.5 for huge regions");
  AddTextOption(region, "--threads", region_flags->threads, "N",
                "threads writing files while one generates, 0-16 (default 2); output is the same for any value");
  AddOutputOptions(region, region_flags->out, region_flags->force, region_flags->as_json, region_flags->no_progress);
  region->callback([region_flags, exit_code] { *exit_code = RunRegion(*region_flags); });

  auto people_flags = std::make_shared<PeopleFlags>();
  CLI::App* people = gen->add_subcommand(
      "people",
      "Write only the patient-index tables of a region, fast, for record-linkage tests and benchmarks:\n"
      "DIR/facilities.csv, DIR/patients.csv and DIR/ground_truth.csv, byte-identical to those `gen region`\n"
      "writes with the same --facilities, --hospitals, --persons (its --patients), --years, --seed,\n"
      "--multi-facility and --end-date; no SS-MIX2 trees, no clinical history.");
  AddPopulationOptions(people, people_flags->population, "--persons");
  AddTextOption(people, "--threads", people_flags->threads, "N",
                "threads generating persons, 1-16 (default 2); output is the same for any value");
  AddOutputOptions(people, people_flags->out, people_flags->force, people_flags->as_json, people_flags->no_progress);
  people->callback([people_flags, exit_code] { *exit_code = RunPeople(*people_flags); });
}

}  // namespace renkei::cli
