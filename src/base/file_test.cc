#include "base/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace renkei {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("renkei-file-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FileTest, WritesAtomicallyWithTheModeAndReadsBack) {
  const std::string path = (dir_ / "secret").string();
  ASSERT_TRUE(WriteFileAtomically(path, "one", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two", 0600).ok());
  auto bytes = ReadFile(path, 100);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, "two");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1) << "no temporary file is left";
}

TEST_F(FileTest, ReadReportsMissingOversizedAndUnreadable) {
  EXPECT_EQ(ReadFile((dir_ / "none").string(), 10).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(WriteFileAtomically((dir_ / "big").string(), std::string(11, 'x'), 0644).ok());
  EXPECT_EQ(ReadFile((dir_ / "big").string(), 10).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFile((dir_ / "big").string(), 11).ok());
  auto dir = ReadFile(dir_.string(), 10);
  EXPECT_EQ(dir.status().code(), StatusCode::kUnavailable) << dir.status().ToString();
}

TEST_F(FileTest, WriteIntoAMissingFolderFailsAndLeavesNothing) {
  Status s = WriteFileAtomically((dir_ / "no" / "such").string(), "x", 0600);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("no/such"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace renkei
