#include "data/prepare.hpp"

#include "core/error.hpp"
#include "core/npy.hpp"
#include "data/mnist.hpp"

namespace convbench {

std::vector<std::filesystem::path> prepare_npy(std::string_view dataset,
                                               const std::filesystem::path& data_dir,
                                               const std::filesystem::path& out) {
  if (dataset != "mnist") fail<UsageError>("dataset '{}' cannot be prepared yet", dataset);
  std::vector<std::filesystem::path> written;
  for (auto [split, tag] : {std::pair{Split::train, "train"}, std::pair{Split::test, "test"}}) {
    const LabelledImages im = load_mnist(data_dir, split);
    const auto x = out / fmt::format("{}_x.npy", tag);
    const auto y = out / fmt::format("{}_y.npy", tag);
    write_npy(x, to_tensor(im, Layout::NCHW));
    write_npy(y, im.labels);
    written.push_back(x);
    written.push_back(y);
  }
  return written;
}

}  // namespace convbench
