// Writes a small synthetic MNIST in the official IDX format: the integration tests' dataset.
#include <cstdlib>
#include <iostream>

#include "fixtures.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: make_fixtures DIR [TRAIN_COUNT TEST_COUNT]\n";
    return 2;
  }
  const auto train = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 1024U;
  const auto test = argc > 3 ? static_cast<std::uint32_t>(std::atoi(argv[3])) : 256U;
  convbench::testing::write_synthetic_mnist(argv[1], train, test);
  return 0;
}
