#include "cli/mpi_commands.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mpi/batch.h"
#include "mpi/records_csv.h"
#include "mpi/regional_id.h"
#include "text/csv.h"

namespace renkei::cli {
namespace {

struct EvaluateFlags {
  std::vector<std::string> records;
  std::string truth;
  std::string out;
  std::string model_in;
  std::string model_out;
  bool no_estimate = false;
  int threads = 0;
  int show_errors = 0;
  bool as_json = false;
};

int ExitFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 2;
    case StatusCode::kNotFound: return 3;
    default: return 1;
  }
}

mpi::BatchProgressFn ProgressLine() {
  if (!::isatty(STDERR_FILENO)) return nullptr;
  return [](std::string_view step, size_t done, size_t total) {
    fmt::print(stderr, "\r{:<10} {}/{}   ", step, done, total);
    if (done >= total) fmt::print(stderr, "\n");
  };
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A few records whose linkage disagrees with the truth, for whoever tunes the model.
void PrintErrors(const std::vector<mpi::Registration>& records, const std::vector<int64_t>& predicted,
                 const std::vector<int64_t>& truth, int limit) {
  std::map<int64_t, std::vector<size_t>> by_truth, by_predicted;
  for (size_t i = 0; i < records.size(); ++i) by_truth[truth[i]].push_back(i), by_predicted[predicted[i]].push_back(i);
  auto print = [&](const char* what, const std::vector<size_t>& group) {
    fmt::print(stderr, "{}:\n", what);
    for (size_t i : group) {
      const mpi::Demographics& d = records[i].demographics;
      fmt::print(stderr, "  {} [{}] {} {} / {} {} / {} {} / {} {} / {} / {}\n", records[i].record_id, predicted[i],
                 d.family_kanji, d.given_kanji, d.family_kana, d.given_kana, d.birth_date, d.sex, d.postal_code,
                 d.address, d.phone, d.identifier);
    }
  };
  int shown = 0;
  for (const auto& [person, group] : by_truth) {
    if (shown >= limit) break;
    for (size_t i : group) {
      if (predicted[i] != predicted[group[0]]) {
        print("missed (one person, several identities)", group);
        ++shown;
        break;
      }
    }
  }
  shown = 0;
  for (const auto& [identity, group] : by_predicted) {
    if (shown >= limit) break;
    for (size_t i : group) {
      if (truth[i] != truth[group[0]]) {
        print("wrongly linked (several persons, one identity)", group);
        ++shown;
        break;
      }
    }
  }
}

int RunEvaluate(const EvaluateFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  auto fail = [](const Status& s) {
    std::cerr << "renkei mpi evaluate: " << s.message() << "\n";
    return ExitFor(s);
  };
  // Records, from every file, in order.
  std::vector<mpi::Registration> records;
  bool all_febrl = true;
  for (const std::string& path : flags.records) {
    auto list = mpi::ReadRecordList(path);
    if (!list.ok()) return fail(list.status());
    all_febrl &= list->febrl;
    for (mpi::Registration& r : list->records) records.push_back(std::move(r));
  }
  {
    std::unordered_map<std::string_view, size_t> ids;
    for (size_t i = 0; i < records.size(); ++i) {
      if (!ids.emplace(records[i].record_id, i).second) {
        return fail(InvalidArgument(fmt::format("record ID '{}' appears in more than one file", records[i].record_id)));
      }
    }
  }
  // The truth: a person number per record.
  std::vector<int64_t> truth(records.size());
  {
    mpi::Truth file_truth;
    if (!flags.truth.empty()) {
      auto t = mpi::ReadTruth(flags.truth);
      if (!t.ok()) return fail(t.status());
      file_truth = std::move(t).value();
    } else if (!all_febrl) {
      return fail(InvalidArgument("--truth FILE is required (it can be left out only for FEBRL files)"));
    }
    std::unordered_map<std::string, int64_t> persons;
    size_t missing = 0;
    std::string first_missing;
    for (size_t i = 0; i < records.size(); ++i) {
      std::string person;
      if (flags.truth.empty()) {
        person = mpi::FebrlPerson(records[i].record_id);
      } else if (auto it = file_truth.find(records[i].record_id); it != file_truth.end()) {
        person = it->second;
      }
      if (person.empty()) {
        if (missing++ == 0) first_missing = records[i].record_id;
        continue;
      }
      truth[i] = persons.emplace(person, static_cast<int64_t>(persons.size())).first->second;
    }
    if (missing > 0) {
      return fail(InvalidArgument(fmt::format("{} records have no person in the truth, the first: '{}'", missing,
                                              first_missing)));
    }
  }
  const int threads = flags.threads > 0 ? flags.threads : std::max(1u, std::thread::hardware_concurrency());
  auto progress = ProgressLine();

  mpi::Model model = mpi::Model::Default();
  if (!flags.model_in.empty()) {
    std::ifstream in(flags.model_in);
    if (!in) return fail(NotFound(fmt::format("cannot open --model {}", flags.model_in)));
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) return fail(InvalidArgument(fmt::format("--model {}: not JSON", flags.model_in)));
    auto m = mpi::Model::FromJson(j);
    if (!m.ok()) return fail(m.status().Annotate(flags.model_in));
    model = std::move(m).value();
  }
  const double read_seconds = SecondsSince(start);

  auto t = std::chrono::steady_clock::now();
  std::vector<const mpi::Demographics*> demographics;
  for (const mpi::Registration& r : records) demographics.push_back(&r.demographics);
  std::vector<mpi::Features> features = mpi::NormaliseAll(demographics, threads, progress);
  const double normalise_seconds = SecondsSince(t);

  t = std::chrono::steady_clock::now();
  if (!flags.no_estimate) model = mpi::EstimateModel(features, model, 1, progress);
  const double estimate_seconds = SecondsSince(t);

  t = std::chrono::steady_clock::now();
  mpi::Linker linker(model);
  int64_t next_identity = 1;
  const mpi::BatchResult result =
      mpi::LinkBatch(linker, std::move(features), [&] { return next_identity++; }, threads, progress);
  const double link_seconds = SecondsSince(t);

  std::vector<int64_t> predicted(records.size());
  for (uint32_t i = 0; i < linker.size(); ++i) predicted[i] = linker.identity(i);
  const mpi::PairAccuracy accuracy = mpi::MeasurePairs(predicted, truth);
  if (flags.show_errors > 0) PrintErrors(records, predicted, truth, flags.show_errors);

  if (!flags.out.empty()) {
    std::ofstream out(flags.out, std::ios::binary);
    out << "record_id,regional_id\n";
    for (size_t i = 0; i < records.size(); ++i) {
      std::string row;
      text::AppendCsvCell(row, records[i].record_id);
      out << row << ',' << mpi::FormatRegionalId(predicted[i]) << '\n';
    }
    out.close();
    if (!out) return fail(Unavailable(fmt::format("cannot write --out {}", flags.out)));
  }
  if (!flags.model_out.empty()) {
    std::ofstream out(flags.model_out, std::ios::binary);
    out << linker.model().ToJson().dump(2) << '\n';
    out.close();
    if (!out) return fail(Unavailable(fmt::format("cannot write --model-out {}", flags.model_out)));
  }

  const size_t n = records.size();
  const double review_rate = n ? double(result.review) / double(n) : 0;
  const int64_t identities = static_cast<int64_t>(result.created + result.review);
  const double total_seconds = SecondsSince(start);
  const size_t persons = std::unordered_set<int64_t>(truth.begin(), truth.end()).size();
  if (flags.as_json) {
    nlohmann::json j = {
        {"records", n},
        {"files", flags.records},
        {"persons_in_truth", persons},
        {"identities", identities},
        {"linked", result.linked},
        {"review", result.review},
        {"review_rate", review_rate},
        {"true_pairs", accuracy.true_pairs},
        {"predicted_pairs", accuracy.predicted_pairs},
        {"correct_pairs", accuracy.correct_pairs},
        {"precision", accuracy.precision()},
        {"recall", accuracy.recall()},
        {"f1", accuracy.f1()},
        {"compared_pairs", result.compared},
        {"compared_per_record", n ? double(result.compared) / double(n) : 0.0},
        {"threads", threads},
        {"seconds",
         {{"read", read_seconds},
          {"normalise", normalise_seconds},
          {"estimate", estimate_seconds},
          {"link", link_seconds},
          {"total", total_seconds}}},
        {"model", linker.model().ToJson()},
    };
    std::cout << j.dump(2) << "\n";
  } else {
    fmt::print("{} records → {} identities ({} linked automatically, {} sent to review = {:.2f}%)\n", n, identities,
               result.linked, result.review, 100 * review_rate);
    fmt::print("pairs: {} true, {} predicted, {} correct\n", accuracy.true_pairs, accuracy.predicted_pairs,
               accuracy.correct_pairs);
    fmt::print("precision {:.4f}  recall {:.4f}  F1 {:.4f}\n", accuracy.precision(), accuracy.recall(), accuracy.f1());
    fmt::print("{:.1f} candidate pairs compared per record; {:.2f} s (normalise {:.2f}, estimate {:.2f}, link {:.2f})\n",
               n ? double(result.compared) / double(n) : 0.0, total_seconds, normalise_seconds, estimate_seconds,
               link_seconds);
  }
  return 0;
}

}  // namespace

void AddMpiCommands(CLI::App& app, int* exit_code) {
  CLI::App* mpi = app.add_subcommand("mpi", "The patient-index linkage engine (名寄せ) over files: measure its accuracy");
  mpi->require_subcommand(1);
  auto flags = std::make_shared<EvaluateFlags>();
  CLI::App* evaluate = mpi->add_subcommand(
      "evaluate",
      "Link registrations from scratch and compare the identities with a ground truth: precision, recall\n"
      "and F1 over pairs of records, and the share sent to review.\n"
      "Records: CSV with the header record_id,facility,local_id,family_kanji,given_kanji,family_kana,\n"
      "given_kana,birth_date,sex,postal_code,address,phone[,identifier] (YYYYMMDD, M/F/U, empty cells\n"
      "allowed), or a FEBRL file as it is. Truth: CSV record_id,person_id (derived from rec_id for FEBRL).\n"
      "The model's m and u are estimated from the records themselves (EM) unless --no-estimate.");
  evaluate->add_option("--records", flags->records, "a record list; repeat to link several files (e.g. FEBRL 4a and 4b)")
      ->required()
      ->type_name("FILE");
  evaluate->add_option("--truth", flags->truth, "ground truth CSV record_id,person_id (optional for FEBRL)")
      ->type_name("FILE");
  evaluate->add_option("--out", flags->out,
                       "also write the identities as CSV record_id,regional_id (a record sent to review is\n"
                       "its own identity)")
      ->type_name("FILE");
  evaluate->add_option("--model", flags->model_in, "start from this model (JSON, as --model-out writes)")
      ->type_name("FILE");
  evaluate->add_option("--model-out", flags->model_out, "write the model used (after estimation) as JSON")
      ->type_name("FILE");
  evaluate->add_flag("--no-estimate", flags->no_estimate, "link with the starting model as it is");
  evaluate->add_option("--threads", flags->threads, "threads (default: all cores)")->check(CLI::Range(1, 256));
  evaluate->add_option("--show-errors", flags->show_errors,
                       "print up to N missed and N wrong identities on standard error (shows demographics:\n"
                       "for test data only)")
      ->check(CLI::Range(0, 100000));
  evaluate->add_flag("--json", flags->as_json, "print the figures as JSON");
  evaluate->callback([flags, exit_code] { *exit_code = RunEvaluate(*flags); });
}

}  // namespace renkei::cli
