#include "data/catalogue.hpp"

#include "core/error.hpp"
#include "data/cifar10.hpp"
#include "data/mnist.hpp"

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

DatasetSpec mnist() {
  return {"mnist",
          {mnist_file("train-images-idx3-ubyte.gz",
                      "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
           mnist_file("train-labels-idx1-ubyte.gz",
                      "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
           mnist_file("t10k-images-idx3-ubyte.gz",
                      "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
           mnist_file("t10k-labels-idx1-ubyte.gz",
                      "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")}};
}

DatasetSpec cifar10() {
  // Official archive (170,052,171 bytes; md5 c32a1d4ab5d03f1284b67883e8d87530 on the site).
  // SHA-256 as pinned independently by torchvision-ruby, MLDatasets.jl and others; the loader
  // reads the .bin files straight out of it.
  // Mirror layout: gzip -9 -n of each official .bin (the .bin contents match the official
  // SHA-256), checksums from the shared mirror's README; /work/shared/datasets/README.md.
  return {"cifar10",
          {{"cifar-10-binary.tar.gz",
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
            {"https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"}}},
          {{"data_batch_1.bin.gz",
            "6fcee3c4b6ea120cf82b263e2e9fe932e7edf7daf530e8b8ed62c178f70910c6",
            {}},
           {"data_batch_2.bin.gz",
            "fdda9af5bfc1ff90c0018a3c997cc37619077ae8e4e7f1238323a8259607add2",
            {}},
           {"data_batch_3.bin.gz",
            "6cfabbc0ca93a74e247cf16f68544c0b2162576f7e2aa8d8e5d73778cbdfe628",
            {}},
           {"data_batch_4.bin.gz",
            "361042113c9a826b76ab9f91d499ae3102fd43ece9af030844a33b4d801c2743",
            {}},
           {"data_batch_5.bin.gz",
            "4c618c86d699c20baa688bcbc1ca629a1c2e9bbe7647d66c2e6869b025174b12",
            {}},
           {"test_batch.bin.gz",
            "769dbbdb7f3fb0f1a165fdea73dde4ffa43f7218019984b6fd41eb85430846ac",
            {}},
           {"batches.meta.txt",
            "558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033",
            {}}},
          "cifar-10-batches-bin"};
}

DatasetSpec imdb() {
  // Official archive (84,125,825 bytes); SHA-256 as pinned independently by MLDatasets.jl,
  // gomlx and others. Mirror layout: the train/test pos/neg reviews re-packed as a
  // deterministic .tar.xz (no unsup/ or *.feat), checksum from the shared mirror's README.
  return {
      "imdb",
      {{"aclImdb_v1.tar.gz",
        "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        {"https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"}}},
      {{"aclImdb.tar.xz", "7d7357f9d537e39c1b5f02274951bd52ba4e61a138026f9f5f7a0ac1a5da2593", {}}},
      "imdb"};
}

const std::vector<DatasetSpec>& catalogue() {
  static const std::vector<DatasetSpec> specs = [] {
    DatasetSpec m = mnist();
    m.load_images = load_mnist;
    m.image_shape = {1, 28, 28};
    m.fgsm_epsilon = 0.1;
    // MNIST x/255 in [0,1]: 2.0, a common L2 radius for MNIST.
    m.boundary_l2_budget = 2.0F;
    DatasetSpec c = cifar10();
    c.load_images = load_cifar10;
    c.image_shape = {3, 32, 32};
    c.norm = cifar10_norm();
    c.fgsm_epsilon = 8.0 / 255;
    // 0.5 in [0,1] pixel space (RobustBench's L2 threshold), i.e. 0.5 / ~0.25 (the per-channel
    // std) = 2.0 standardised.
    c.boundary_l2_budget = 2.0F;
    DatasetSpec i = imdb();
    i.modality = Modality::text;
    i.input_dtype = DType::i64;
    i.load_texts = [](const std::filesystem::path& dir, Split split) {
      return load_imdb(dir, split);
    };
    return std::vector<DatasetSpec>{m, c, i};
  }();
  return specs;
}

}  // namespace

std::string_view to_string(Modality m) { return m == Modality::image ? "image" : "text"; }

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
