// `renkei edge` driven through its command line, on copies of the NHO sample tree.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_renkei.h"
#include "text/iso2022jp.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using renkei::testing::Result;
using renkei::testing::RunRenkei;

const fs::path kSample = fs::path(RENKEI_SHARED_DATA_DIR) / "ssmix2-nho" / "sampleData";

json RunJson(const fs::path& cwd, const std::string& args) {
  Result r = RunRenkei(cwd, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

class EdgeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = renkei::testing::FreshTestFolder("renkei-cli");
    root_ = dir_ / "ssmix2";
    fs::copy(kSample, root_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Import(const std::string& extra = "") {
    return fmt::format("edge import --root '{}' --json --log-level off {}", root_.string(), extra);
  }

  fs::path dir_;
  fs::path root_;
};

TEST_F(EdgeCliTest, ImportsTheSampleTreeAndReportsEveryDefect) {
  json s = RunJson(dir_, Import());
  EXPECT_EQ(s["files_seen"], 22);
  EXPECT_EQ(s["imported"], 19);
  EXPECT_EQ(s["quarantined"], 3);
  EXPECT_EQ(s["quarantined_by_reason"]["hl7_syntax"], 2);
  EXPECT_EQ(s["quarantined_by_reason"]["folder_mismatch"], 1);
  EXPECT_EQ(s["warnings_by_reason"]["patient_id_mismatch"], 10);
  EXPECT_EQ(s["warnings_by_reason"]["order_number_length"], 1);
  EXPECT_EQ(s["patients"], 1);
  EXPECT_EQ(s["messages_per_type"]["OMP-01"], 1);
  EXPECT_EQ(s["messages_per_type"].size(), 19u);
  EXPECT_EQ(s["repository"]["records"], 19);
  EXPECT_TRUE(fs::exists(dir_ / "renkei-edge.db")) << "default store is sqlite:renkei-edge.db in the working folder";
  // Every defect of the sample's README is reported with its file.
  std::string all = s["defects"].dump();
  for (std::string_view want : {"data type 'OMP-11' in the name differs from type folder 'ADT-31'",
                                "patient ID '9999013' in the name differs from patient folder '0000001'",
                                "order number '2011122000300' has 13 characters",
                                "PID-3 '1234567890' differs from the file's patient ID '9999013'",
                                "0000001_20000401_OMP-11_123456789012346_20110701113813226_01_0"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want;
  }
  // Human summary too.
  Result human = RunRenkei(dir_, fmt::format("edge import --root '{}' --force --log-level off", root_.string()));
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("quarantined"), std::string::npos);
  EXPECT_NE(human.out.find("QUARANTINE"), std::string::npos);
}

TEST_F(EdgeCliTest, ASecondImportSkipsUnchangedFiles) {
  RunJson(dir_, Import());
  json again = RunJson(dir_, Import());
  EXPECT_EQ(again["files_seen"], 22);
  EXPECT_EQ(again["unchanged"], 22);
  EXPECT_EQ(again["imported"], 0);
  EXPECT_EQ(again["repository"]["records"], 19);
  EXPECT_EQ(again["repository"]["quarantine_open"], 3);
}

TEST_F(EdgeCliTest, UpdatesSupersedeAndDeletionsDelete) {
  RunJson(dir_, Import());
  const fs::path folder = root_ / "999/901/9999013/20110701/OMP-01";
  const fs::path original = folder / "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";
  // A newer version of the prescription, then its deletion.
  fs::copy_file(original, folder / "9999013_20110701_OMP-01_000000011000185_20110702090000000_01_1");
  json s = RunJson(dir_, Import());
  EXPECT_EQ(s["imported"], 1);
  EXPECT_EQ(s["superseded"], 1);
  fs::copy_file(original, folder / "9999013_20110701_OMP-01_000000011000185_20110703090000000_01_0");
  s = RunJson(dir_, Import());
  EXPECT_EQ(s["deleted"], 1);
  EXPECT_EQ(s["repository"]["deleted"], 1);
  json records = RunJson(dir_, "edge records --patient 9999013 --json --log-level off");
  bool found = false;
  for (const auto& r : records) {
    if (r["data_type"] == "OMP-01") {
      found = true;
      EXPECT_EQ(r["status"], "deleted");
      EXPECT_EQ(r["versions"], 3);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(EdgeCliTest, QuarantineCanBeListedInspectedAndReplayedAfterAFix) {
  RunJson(dir_, Import());
  json list = RunJson(dir_, "edge quarantine list --json --log-level off");
  ASSERT_EQ(list.size(), 3u);
  int64_t id = 0;
  for (const auto& q : list) {
    if (q["path"].get<std::string>().ends_with("123456789012345_20110701113813225_01_1") &&
        q["defects"][0]["kind"] == "hl7_syntax") {
      id = q["id"];
    }
  }
  ASSERT_NE(id, 0);
  json shown = RunJson(dir_, fmt::format("edge quarantine show {} --json --log-level off", id));
  EXPECT_NE(shown["text"].get<std::string>().find("RAS^O17"), std::string::npos);
  Result human = RunRenkei(dir_, fmt::format("edge quarantine show {} --log-level off", id));
  EXPECT_NE(human.out.find("second MSH segment"), std::string::npos);

  // Still broken: replay says so and exits 1.
  Result still = RunRenkei(dir_, fmt::format("edge quarantine replay {} --log-level off", id));
  EXPECT_EQ(still.exit_code, 1);
  EXPECT_NE(still.out.find("still defective"), std::string::npos);

  // Fix the file: keep the message up to the stray segments, with the right patient.
  const fs::path file = root_ / shown["path"].get<std::string>();
  std::string text = shown["text"];
  text = text.substr(0, text.find("OBX|1|NM|aaa"));
  size_t pid = text.find("9999013^^^^PI");
  text.replace(pid, 7, "0000001");
  text.replace(text.find("|番号|"), 8, "||");
  auto jis = renkei::text::EncodeIso2022Jp(text);
  ASSERT_TRUE(jis.ok());
  { std::ofstream(file, std::ios::binary | std::ios::trunc) << *jis; }
  json replayed = RunJson(dir_, fmt::format("edge quarantine replay {} --json --log-level off", id));
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0]["imported"], true) << replayed.dump();
  // Only the date disagreement remains, as a warning on the imported record.
  EXPECT_EQ(RunJson(dir_, "edge quarantine list --json --log-level off").size(), 2u);
  json resolved = RunJson(dir_, "edge quarantine list --all --json --log-level off");
  EXPECT_EQ(resolved.size(), 3u);
  EXPECT_EQ(RunJson(dir_, "edge records --patient 0000001 --json --log-level off").size(), 1u);
  // Replaying a resolved entry or an unknown one is a clear error.
  Result again = RunRenkei(dir_, fmt::format("edge quarantine replay {} --log-level off", id));
  EXPECT_NE(again.out.find("already resolved"), std::string::npos);
  Result unknown = RunRenkei(dir_, "edge quarantine show 999 --log-level off");
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("no quarantine entry 999"), std::string::npos);
}

TEST_F(EdgeCliTest, PatientsCarryTheDemographicsTheHubWillMatchOn) {
  RunJson(dir_, Import());
  json patients = RunJson(dir_, "edge patients --json --log-level off");
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0]["patient_id"], "9999013");
  EXPECT_EQ(patients[0]["kanji_name"]["family"], "患者");
  EXPECT_EQ(patients[0]["kana_name"]["given"], "タロウ");
  EXPECT_EQ(patients[0]["birth_date"], "19480405");
  EXPECT_EQ(patients[0]["address"], "静岡県静岡市登呂１−３−５");
}

TEST_F(EdgeCliTest, WatchPicksUpNewFilesWhileRunning) {
  const std::string out = (dir_ / "watch.out").string();
  pid_t pid = fork();
  if (pid == 0) {
    fs::current_path(dir_);
    freopen(out.c_str(), "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(RENKEI_BINARY, "renkei", "edge", "watch", "--root", root_.c_str(), "--interval", "1", "--json",
          "--log-level", "off", nullptr);
    _exit(127);
  }
  auto count_lines = [&] {
    std::ifstream in(out);
    std::string line;
    std::vector<json> lines;
    while (std::getline(in, line)) lines.push_back(json::parse(line, nullptr, false));
    return lines;
  };
  auto wait_for = [&](auto pred) {
    for (int i = 0; i < 100; ++i) {
      auto lines = count_lines();
      if (pred(lines)) return lines;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return count_lines();
  };
  auto first = wait_for([](const auto& l) { return !l.empty(); });
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0]["imported"], 19);
  const fs::path folder = root_ / "999/901/9999013/20110701/OMP-01";
  fs::copy_file(folder / "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1",
                folder / "9999013_20110701_OMP-01_000000011000185_20110801000000000_01_1");
  auto lines = wait_for([](const auto& l) {
    for (const auto& j : l) {
      if (j.value("imported", 0) == 1 && j.value("superseded", 0) == 1) return true;
    }
    return false;
  });
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "watch must stop cleanly on Ctrl-C";
  bool picked_up = false;
  for (const auto& j : lines) picked_up |= j.value("imported", 0) == 1;
  EXPECT_TRUE(picked_up);
}

TEST_F(EdgeCliTest, ImportsIntoPostgreSQLToo) {
  const char* file = std::getenv("RENKEI_TEST_POSTGRES_URI_FILE");
  ASSERT_NE(file, nullptr) << "run under ctest, whose fixture starts PostgreSQL";
  std::ifstream in(file);
  std::string uri;
  std::getline(in, uri);
  ASSERT_FALSE(uri.empty());
  // The store tables live in the cluster's public schema; other tests use schemas of their own.
  json s = RunJson(dir_, Import(fmt::format("--store '{}'", uri)));
  EXPECT_EQ(s["quarantined"], 3);
  EXPECT_EQ(s["store"].get<std::string>().find("postgresql://"), 0u);
  json again = RunJson(dir_, Import(fmt::format("--store '{}'", uri)));
  EXPECT_EQ(again["imported"], 0);
}

TEST_F(EdgeCliTest, ImportsExtendedStorageDocuments) {
  const fs::path content = root_ / "999/901/9999013/20111220/DS01^退院サマリ^99XYZ^^^" /
                           "9999013_20111220_DS01_000000000012345_20111220224447339_01_1";
  fs::create_directories(content);
  std::ofstream(content / "summary.pdf", std::ios::binary) << "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  std::ofstream(content / "chest.png", std::ios::binary) << "\x89PNG\r\n\x1a\n";
  json s = RunJson(dir_, Import());
  EXPECT_EQ(s["imported"], 21);
  EXPECT_EQ(s["messages_per_type"]["DS01"], 2);
  json records = RunJson(dir_, "edge records --patient 9999013 --json --log-level off");
  int documents = 0;
  for (const auto& r : records) {
    if (r["data_type"] == "DS01") {
      ++documents;
      EXPECT_TRUE(r["message_type"] == "application/pdf" || r["message_type"] == "image/png") << r.dump();
    }
  }
  EXPECT_EQ(documents, 2);
}

TEST_F(EdgeCliTest, LogsCarryNoPatientData) {
  const fs::path log = dir_ / "renkei.log";
  { std::ofstream(dir_ / "log.toml") << "[log]\nlevel = \"debug\"\nfile = \"" << log.string() << "\"\n"; }
  Result r = RunRenkei(dir_, fmt::format("--config '{}' edge import --root '{}' --json", (dir_ / "log.toml").string(),
                                         root_.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunRenkei(dir_, fmt::format("--config '{}' edge quarantine replay --all", (dir_ / "log.toml").string()));
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  EXPECT_NE(text.find("import_finished"), std::string::npos) << "the log was written";
  EXPECT_NE(text.find("file_quarantined"), std::string::npos);
  for (std::string_view secret : {"9999013", "0000001", "患者", "太郎", "カンジャ", "19480405", "静岡", "054-"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "patient data in the log: " << secret;
  }
}

TEST_F(EdgeCliTest, BadInvocationsFailWithClearMessages) {
  Result no_root = RunRenkei(dir_, "edge import --root /nonexistent/tree");
  EXPECT_NE(no_root.exit_code, 0);
  EXPECT_NE(no_root.err.find("/nonexistent/tree"), std::string::npos);
  Result bad_store = RunRenkei(dir_, fmt::format("edge import --root '{}' --store mysql://x", root_.string()));
  EXPECT_EQ(bad_store.exit_code, 2);
  EXPECT_NE(bad_store.err.find("unknown store URL scheme"), std::string::npos);
  { std::ofstream(dir_ / "bad.toml") << "[edge]\nbatch_sise = 10\n"; }
  Result bad_config = RunRenkei(dir_, fmt::format("--config '{}' edge import --root '{}'", (dir_ / "bad.toml").string(),
                                            root_.string()));
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.err.find("unknown configuration key 'edge.batch_sise'"), std::string::npos);
  Result help = RunRenkei(dir_, "edge import --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--root"), std::string::npos);
  Result none = RunRenkei(dir_, "edge");
  EXPECT_NE(none.exit_code, 0);
}

TEST_F(EdgeCliTest, HostileFilesAreQuarantinedNeverCrashTheEdge) {
  const fs::path folder = root_ / "999/901/9999013/20110701/OMP-01";
  auto name = [](std::string ts) { return "9999013_20110701_OMP-01_000000011000185_" + ts + "_01_1"; };
  std::ofstream(folder / name("20110701000000001"), std::ios::binary) << std::string(1 << 20, '\x1b');
  std::ofstream(folder / name("20110701000000002"), std::ios::binary) << "";
  std::ofstream(folder / name("20110701000000003"), std::ios::binary) << "MSH|^~\\&|" + std::string(100000, '|');
  std::ofstream(folder / name("20110701000000004"), std::ios::binary)
      << std::string("MSH|^~\\&|A\rPID|1||9999013||\x1b$B4", 31);  // truncated inside a JIS run
  { std::ofstream(dir_ / "small.toml") << "[edge]\nmax_message_bytes = 16384\n"; }
  std::ofstream(folder / name("20110701000000005"), std::ios::binary) << std::string(20000, 'A');
  fs::create_directories(root_ / "999/901/9999013/20110701/OMP-01/stray-folder");
  std::ofstream(root_ / "999/901/9999013/20110701/OMP-01/stray-folder/x") << "x";
  json s = RunJson(dir_, fmt::format("--config '{}' {}", (dir_ / "small.toml").string(), Import()));
  EXPECT_EQ(s["quarantined"], 3 + 6);
  EXPECT_EQ(s["quarantined_by_reason"]["too_large"], 3);
  EXPECT_EQ(s["quarantined_by_reason"]["hl7_syntax"], 3);
  EXPECT_EQ(s["quarantined_by_reason"]["encoding"], 1);
  EXPECT_EQ(s["quarantined_by_reason"]["path_layout"], 1);
  EXPECT_EQ(s["imported"], 19);
}

}  // namespace
