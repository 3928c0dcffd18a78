// What the integration tests share: running the real `renkei` binary (RENKEI_BINARY, set by
// CMake) in a working folder and capturing its exit status and output, and a fresh working
// folder per test.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace renkei::testing {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `renkei ARGS` with a working folder; captures stdout and stderr.
inline Result RunRenkei(const std::filesystem::path& cwd, const std::string& args) {
  const std::filesystem::path out = cwd / "stdout.txt", err = cwd / "stderr.txt";
  std::string cmd = fmt::format("cd '{}' && '{}' {} > '{}' 2> '{}'", cwd.string(), RENKEI_BINARY, args,
                                out.string(), err.string());
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
}

// An empty folder named after the running test, under the system's temporary folder.
inline std::filesystem::path FreshTestFolder(std::string_view prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("{}-{}-{}", prefix, ::getpid(),
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace renkei::testing
