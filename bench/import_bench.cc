// Import throughput of a large SS-MIX2 tree into SQLite, on one core, and peak memory.
//
//   import_bench SAMPLE_ROOT WORK_DIR FILES
//
// Builds a tree of FILES files under WORK_DIR by varying the good files of the sample tree
// (each copy gets its own patient ID, in the path and in the message), then imports it
// with the edge Importer into WORK_DIR/bench.db and prints files per second and the
// process's peak resident memory (VmHWM) as JSON.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "edge/importer.h"
#include "ssmix2/record.h"

namespace fs = std::filesystem;

namespace {

int64_t PeakRssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: import_bench SAMPLE_ROOT WORK_DIR FILES\n";
    return 2;
  }
  const fs::path sample = argv[1], work = argv[2];
  const int64_t files = std::stoll(argv[3]);
  struct Template {
    std::string relative;
    std::string bytes;
  };
  std::vector<Template> templates;
  for (const auto& e : fs::recursive_directory_iterator(sample)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), sample).generic_string();
    if (rel.rfind("999/901/9999013/", 0) != 0) continue;  // the good files
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    templates.push_back({rel.substr(std::string("999/901/9999013/").size()), ss.str()});
  }
  fs::remove_all(work);
  const fs::path tree = work / "tree";
  for (int64_t i = 0; i < files; ++i) {
    const Template& t = templates[i % templates.size()];
    const std::string pid = fmt::format("{:07}", 1'000'000 + i / static_cast<int64_t>(templates.size()));
    const fs::path path = tree / pid.substr(0, 3) / pid.substr(3, 3) / pid / ReplaceAll(t.relative, "9999013", pid);
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << ReplaceAll(t.bytes, "9999013", pid);
  }

  auto store = renkei::store::Store::Open("sqlite:" + (work / "bench.db").string());
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  renkei::edge::Importer importer(**store, renkei::log::Logger::Null());
  renkei::edge::ImportOptions options;
  options.root = tree.string();
  options.max_listed_defects = 100;
  const int64_t rss_before = PeakRssKiB();
  auto summary = importer.Run(options);
  if (!summary.ok()) {
    std::cerr << summary.status().ToString() << "\n";
    return 1;
  }
  std::cout << fmt::format(
      "{{\"files\": {}, \"imported\": {}, \"quarantined\": {}, \"seconds\": {:.3f}, \"files_per_second\": {:.0f}, "
      "\"peak_rss_mib\": {:.1f}, \"peak_rss_before_import_mib\": {:.1f}, \"db_mib\": {:.1f}}}\n",
      summary->files_seen, summary->imported, summary->quarantined, summary->seconds,
      summary->files_seen / summary->seconds, PeakRssKiB() / 1024.0, rss_before / 1024.0,
      fs::file_size(work / "bench.db") / 1048576.0);
  return 0;
}
