// Running the real `renkei` binary from integration tests, as an operator or a script would:
// the command's exit status, standard output and standard error.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

// A `renkei` server (edge listen, hub serve) running in the background for one test: started
// in `cwd` with its output in cwd/NAME.out and NAME.err; Start() waits until it prints
// "127.0.0.1:PORT" and returns the port (0 when it did not within 10 s). Killed at destruction.
class BackgroundRenkei {
 public:
  BackgroundRenkei() = default;
  BackgroundRenkei(const BackgroundRenkei&) = delete;
  BackgroundRenkei& operator=(const BackgroundRenkei&) = delete;
  ~BackgroundRenkei() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  int Start(const std::filesystem::path& cwd, const std::string& name, std::vector<std::string> args) {
    out_ = cwd / (name + ".out");
    err_ = cwd / (name + ".err");
    std::filesystem::remove(out_);  // not to read an earlier run's port
    pid_ = ::fork();
    if (pid_ == 0) {
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      if (!::freopen(out_.c_str(), "w", stdout) || !::freopen(err_.c_str(), "w", stderr)) ::_exit(126);
      std::vector<char*> argv{const_cast<char*>(RENKEI_BINARY)};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(RENKEI_BINARY, argv.data());
      ::_exit(127);
    }
    const std::regex listening(R"(127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 200; ++i) {
      std::smatch m;
      const std::string out = Slurp(out_);
      if (std::regex_search(out, m, listening)) return port_ = std::stoi(m[1]);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
  }

  // Stops it as an operator would (Ctrl-C) and returns its exit code.
  int Stop() {
    ::kill(pid_, SIGINT);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  int port() const { return port_; }
  std::string out() const { return Slurp(out_); }
  std::string err() const { return Slurp(err_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path out_, err_;
};

}  // namespace renkei::testing
