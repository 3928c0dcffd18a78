#include "log/log.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace renkei::log {
namespace {

TEST(LogTest, WritesOneJsonObjectPerLineWithEventAndFields) {
  auto path = std::filesystem::temp_directory_path() / ("renkei-log-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  {
    auto logger = Logger::Create("info", "json", path.string());
    ASSERT_TRUE(logger.ok());
    (*logger)->Info("import_finished", {{"files", 24}, {"quarantined", 3}});
    (*logger)->Log(Level::kDebug, "dropped_below_level");
    (*logger)->Warn("odd\"event", {{"bytes", std::string("\xff")}});
  }
  std::ifstream in(path);
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event"], "import_finished");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["files"], 24);
  EXPECT_TRUE(lines[0].contains("ts"));
  EXPECT_EQ(lines[1]["event"], "odd\"event");
  std::filesystem::remove(path);
}

TEST(LogTest, UnwritableFileIsAnError) {
  EXPECT_EQ(Logger::Create("info", "json", "/dev/null/x.log").status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace renkei::log
