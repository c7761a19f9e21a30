#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace convbench::testing {

// The tiny zoo models of the ctest fixture `zoo_models` ($CONVBENCH_TEST_MODELS); empty if unset.
inline std::filesystem::path zoo_test_models() {
  const char* p = std::getenv("CONVBENCH_TEST_MODELS");
  return p != nullptr ? std::filesystem::path(p) : std::filesystem::path();
}

// A fresh temporary directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("convbench-") + info->test_suite_name() + "-" + info->name() + "-" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// Asserts that `stmt` throws E whose message contains every given fragment.
#define EXPECT_THROW_WITH(stmt, E, ...)                                \
  do {                                                                 \
    try {                                                              \
      stmt;                                                            \
      ADD_FAILURE() << "expected " #E " from " #stmt;                  \
    } catch (const E& e) {                                             \
      for (const char* frag : {__VA_ARGS__})                           \
        EXPECT_NE(std::string(e.what()).find(frag), std::string::npos) \
            << "message '" << e.what() << "' lacks '" << frag << "'";  \
    }                                                                  \
  } while (0)

}  // namespace convbench::testing
