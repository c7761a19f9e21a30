#include "data/test_set.hpp"

#include "core/error.hpp"
#include "data/mnist.hpp"

namespace convbench {

LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             std::string_view layout, std::int64_t limit) {
  if (dataset != "mnist") fail<UsageError>("dataset '{}' is not supported yet", dataset);
  LabelledImages im = load_mnist(dir, Split::test);
  if (limit > 0 && limit < im.count) {
    im.count = limit;
    im.pixels.resize(static_cast<std::size_t>(limit * im.channels * im.height * im.width));
    im.labels.resize(static_cast<std::size_t>(limit));
  }
  return {to_tensor(im, parse_layout(layout)), std::move(im.labels)};
}

}  // namespace convbench
