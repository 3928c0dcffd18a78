// For pki/'s tests only: a fresh folder per test holding one or two initialised CAs, and
// issuing into it without ceremony.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "base/file.h"
#include "pki/ca.h"

namespace renkei::pki::testing {

class CaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("renkei-pki-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    ca_ = (root_ / "ca").string();
    out_ = (root_ / "out").string();
    ASSERT_TRUE(InitCa(ca_, "Test region", 3650).ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Issues into out_ (or `out`), failing the test on error.
  Issued IssueOk(const std::string& name, Role role, const std::string& facility = "", int days = 825,
                 const std::string& ca = "", const std::string& out = "") {
    IssueRequest r;
    r.name = name;
    r.role = role;
    r.facility = facility;
    r.days = days;
    auto issued = Issue(ca.empty() ? ca_ : ca, r, out.empty() ? out_ : out);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : Issued{};
  }

  // A second CA ("another region") in root_/other, its certificates in root_/other-out.
  std::string OtherCa() {
    const std::string dir = (root_ / "other").string();
    EXPECT_TRUE(InitCa(dir, "Another region", 3650).ok());
    return dir;
  }

  std::string Read(const std::string& path) {
    auto bytes = ReadFile(path, 1 << 20);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? *bytes : "";
  }

  std::filesystem::path root_;
  std::string ca_, out_;
};

}  // namespace renkei::pki::testing
