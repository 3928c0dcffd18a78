// Running the real `renkei` binary from integration tests, as an operator or a script would:
// the command's exit status, standard output and standard error.
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
#include <nlohmann/json.hpp>

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

// An empty folder of its own for the running test: <tmp>/<prefix>-<pid>-<test name>.
inline std::filesystem::path FreshTestDir(std::string_view prefix) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      fmt::format("{}-{}-{}", prefix, ::getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs `renkei ARGS` in the working folder `cwd` (ARGS is shell text); captures stdout and stderr.
inline Result RunRenkei(const std::filesystem::path& cwd, const std::string& args) {
  const std::filesystem::path out = cwd / "stdout.txt", err = cwd / "stderr.txt";
  const std::string cmd = fmt::format("cd '{}' && '{}' {} > '{}' 2> '{}'", cwd.string(), RENKEI_BINARY, args,
                                      out.string(), err.string());
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
}

// Runs a command that prints JSON and expects exit status `expected_exit`.
inline nlohmann::json RunJson(const std::filesystem::path& cwd, const std::string& args, int expected_exit = 0) {
  Result r = RunRenkei(cwd, args);
  EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
  return j;
}

}  // namespace renkei::testing
