#include "data/catalogue.hpp"

#include "core/error.hpp"

namespace convbench {
namespace {

RemoteFile mnist_file(std::string name, std::string sha) {
  // The original host (yann.lecun.com) often refuses downloads; the mirror torchvision uses
  // serves byte-identical files (same checksums), so it is tried first.
  return {name,
          std::move(sha),
          {"https://ossci-datasets.s3.amazonaws.com/mnist/" + name,
           "http://yann.lecun.com/exdb/mnist/" + name}};
}

const std::vector<DatasetSpec>& catalogue() {
  static const std::vector<DatasetSpec> specs = {
      {"mnist",
       {mnist_file("train-images-idx3-ubyte.gz",
                   "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        mnist_file("train-labels-idx1-ubyte.gz",
                   "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        mnist_file("t10k-images-idx3-ubyte.gz",
                   "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        mnist_file("t10k-labels-idx1-ubyte.gz",
                   "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")}},
  };
  return specs;
}

}  // namespace

const DatasetSpec& dataset_spec(std::string_view name) {
  for (const auto& s : catalogue())
    if (s.name == name) return s;
  fail<UsageError>("unknown dataset '{}' (known: {})", name, fmt::join(dataset_names(), ", "));
}

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& s : catalogue()) names.push_back(s.name);
  return names;
}

}  // namespace convbench
