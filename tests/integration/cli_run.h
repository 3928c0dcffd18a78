// Running the real `renkei` binary from integration tests, as an operator or a script would.
#pragma once

#include <sys/wait.h>

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

// Runs `renkei ARGS` (a shell fragment, so quote paths) in the folder `cwd`; captures
// standard output and error.
inline Result RunRenkei(const std::filesystem::path& cwd, const std::string& args) {
  const std::filesystem::path out = cwd / "stdout.txt", err = cwd / "stderr.txt";
  const std::string cmd = fmt::format("cd '{}' && '{}' {} > '{}' 2> '{}'", cwd.string(), RENKEI_BINARY, args,
                                      out.string(), err.string());
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
}

// Runs a command that must succeed and print JSON; returns the JSON.
inline nlohmann::json RunJson(const std::filesystem::path& cwd, const std::string& args) {
  Result r = RunRenkei(cwd, args);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << args << "\n" << r.out;
  return j;
}

}  // namespace renkei::testing
