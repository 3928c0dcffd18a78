#include "config/config.h"

#include <gtest/gtest.h>

namespace renkei::config {
namespace {

TEST(ConfigTest, DefaultsWhenEmpty) {
  auto c = ParseConfig("");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->edge.store, "sqlite:renkei-edge.db");
  EXPECT_EQ(c->edge.batch_size, 2000u);
  EXPECT_EQ(c->log.format, "json");
  EXPECT_EQ(c->edge.severity.Of(ssmix2::DefectKind::kPatientIdMismatch), ssmix2::Severity::kWarning);
}

TEST(ConfigTest, ReadsEveryKey) {
  auto c = ParseConfig(R"(
[edge]
store = "postgresql://renkei@db/edge"
ssmix2_root = "/srv/ssmix2"
batch_size = 500
max_message_bytes = 1048576
watch_interval_seconds = 30
[edge.severity]
patient_id_mismatch = "quarantine"
hl7_syntax = "warning"
[log]
level = "debug"
format = "text"
file = "/var/log/renkei.log"
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->edge.store, "postgresql://renkei@db/edge");
  EXPECT_EQ(c->edge.ssmix2_root, "/srv/ssmix2");
  EXPECT_EQ(c->edge.batch_size, 500u);
  EXPECT_EQ(c->edge.max_message_bytes, 1048576u);
  EXPECT_EQ(c->edge.watch_interval_seconds, 30);
  EXPECT_EQ(c->edge.severity.Of(ssmix2::DefectKind::kPatientIdMismatch), ssmix2::Severity::kQuarantine);
  EXPECT_EQ(c->edge.severity.Of(ssmix2::DefectKind::kHl7Syntax), ssmix2::Severity::kWarning);
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->log.file, "/var/log/renkei.log");
}

TEST(ConfigTest, RejectsBadConfigurationPrecisely) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[edge]\nstroe = \"x\"", "unknown configuration key 'edge.stroe'"},
      {"[edge]\nbatch_size = \"many\"", "'edge.batch_size' has the wrong type"},
      {"[edge]\nbatch_size = 0", "edge.batch_size must be between"},
      {"[edge]\nmax_message_bytes = 10", "edge.max_message_bytes must be between"},
      {"[edge]\nwatch_interval_seconds = -1", "watch_interval_seconds"},
      {"[edge]\nstore = \"\"", "edge.store must not be empty"},
      {"[edge.severity]\nno_such_kind = \"warning\"", "unknown defect kind 'no_such_kind'"},
      {"[edge.severity]\nhl7_syntax = \"ignore\"", "must be \"warning\" or \"quarantine\""},
      {"[log]\nlevel = \"loud\"", "log.level must be one of"},
      {"[log]\nformat = \"xml\"", "log.format must be json or text"},
      {"[hub]\nport = 1", "unknown configuration key 'hub'"},
      {"edge = 3", "'edge' must be a table"},
      {"[edge\nstore = 1", "configuration line 1"},
      {std::string("[edge]\nstore = \"\xff\xfe\""), "configuration line"},
  };
  for (const auto& [text, want] : cases) {
    auto c = ParseConfig(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(want), std::string::npos) << text << "\n got: " << c.status().message();
  }
}

TEST(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfig("/nonexistent/renkei.toml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace renkei::config
