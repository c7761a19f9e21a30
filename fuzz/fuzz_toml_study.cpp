// read_study_config on the input as the study file, with the repository's config/models.toml.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.hpp"
#include "fuzz_util.hpp"
#include "study/study_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace convbench;
  const auto file = fuzz::scratch_dir() / "study.toml";
  fuzz::write_bytes(file, std::span(data, size));
  try {
    (void)read_study_config(file, CONVBENCH_MODELS_TOML);
  } catch (const UsageError&) {
  }
  return 0;
}
