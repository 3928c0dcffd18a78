#include "edge/importer.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace renkei::edge {
namespace {

namespace fs = std::filesystem;
const fs::path kSample = fs::path(RENKEI_SHARED_DATA_DIR) / "ssmix2-nho" / "sampleData";

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("renkei-importer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy(kSample, dir_ / "tree", fs::copy_options::recursive);
    auto store = store::Store::Open("sqlite:" + (dir_ / "edge.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    options_.root = (dir_ / "tree").string();
    options_.batch_size = 5;  // several commits in one run
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  ImportOptions options_;
};

TEST_F(ImporterTest, ImportsReportsProgressAndSkipsUnchangedFilesNextTime) {
  Importer importer(*store_, log::Logger::Null());
  std::vector<Progress> reports;
  auto s = importer.Run(options_, [&](const Progress& p) { reports.push_back(p); });
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->files_seen, 22);
  EXPECT_EQ(s->imported, 19);
  EXPECT_EQ(s->quarantined, 3);
  EXPECT_EQ(s->store.records, 19);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().files_total, 22);
  EXPECT_EQ(reports.back().files_seen, 22);

  auto again = importer.Run(options_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 22);
  EXPECT_EQ(again->imported, 0);
  // --force re-reads: the same content is recognised as unchanged by the store.
  options_.force = true;
  auto forced = importer.Run(options_);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->imported, 0);
  EXPECT_EQ(forced->quarantined, 3);
  EXPECT_EQ(forced->store.quarantine_open, 3);
}

TEST_F(ImporterTest, CancellingStopsTheWalkAndKeepsWhatWasDone) {
  Importer importer(*store_, log::Logger::Null());
  std::atomic<bool> cancel{true};
  auto s = importer.Run(options_, nullptr, &cancel);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->files_seen, 0);
  cancel = false;
  EXPECT_EQ(importer.Run(options_, nullptr, &cancel)->files_seen, 22);
}

TEST_F(ImporterTest, ListsAtMostTheConfiguredNumberOfDefectFiles) {
  Importer importer(*store_, log::Logger::Null());
  options_.max_listed_defects = 2;
  auto s = importer.Run(options_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->defect_files.size(), 2u);
  EXPECT_EQ(s->defect_files_not_listed, 13 - 2);  // 10 warned + 3 quarantined files
}

TEST_F(ImporterTest, ReplayErrorsAreClear) {
  Importer importer(*store_, log::Logger::Null());
  ASSERT_TRUE(importer.Run(options_).ok());
  EXPECT_EQ(importer.Replay(12345, options_).status().code(), StatusCode::kNotFound);
  auto entries = store_->ListQuarantine(false);
  ASSERT_FALSE(entries->empty());
  const auto& q = entries->front();
  fs::remove(fs::path(q.root) / q.path);
  auto gone = importer.Replay(q.id, options_);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_NE(gone.status().message().find("no longer at"), std::string::npos);
}

TEST_F(ImporterTest, ARootThatIsNotAFolderIsNotFound) {
  Importer importer(*store_, log::Logger::Null());
  options_.root = (dir_ / "missing").string();
  EXPECT_EQ(importer.Run(options_).status().code(), StatusCode::kNotFound);
}

TEST(MimeTypeTest, ByExtensionCaseInsensitive) {
  EXPECT_EQ(MimeTypeOf("summary.PDF"), "application/pdf");
  EXPECT_EQ(MimeTypeOf("x.jpeg"), "image/jpeg");
  EXPECT_EQ(MimeTypeOf("study.dcm"), "application/dicom");
  EXPECT_EQ(MimeTypeOf("noext"), "application/octet-stream");
  EXPECT_EQ(MimeTypeOf("a.unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace renkei::edge
