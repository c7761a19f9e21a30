#include "fixtures.hpp"

#include <zlib.h>

#include <random>
#include <stdexcept>

#include "core/file_io.hpp"

namespace convbench::testing {

void write_idx(const std::filesystem::path& path, const std::vector<std::uint32_t>& dims,
               const std::vector<std::uint8_t>& data, bool gz) {
  std::vector<std::uint8_t> b{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  if (!gz) {
    write_file(path, b.data(), b.size());
    return;
  }
  std::filesystem::create_directories(path.parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("gzopen " + path.string());
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

void write_synthetic_mnist(const std::filesystem::path& dir, std::uint32_t train_count,
                           std::uint32_t test_count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(0, 60), label(0, 9), jitter(-1, 1);
  auto make = [&](const char* prefix, std::uint32_t n) {
    std::vector<std::uint8_t> px(static_cast<std::size_t>(n) * 784), lb(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const int k = label(rng);
      lb[i] = static_cast<std::uint8_t>(k);
      std::uint8_t* img = &px[static_cast<std::size_t>(i) * 784];
      for (int p = 0; p < 784; ++p) img[p] = static_cast<std::uint8_t>(noise(rng));
      // Horizontal bar at a row chosen by the class, vertical bar for odd classes.
      const int row = 3 + 2 * k + jitter(rng);
      for (int c = 4; c < 24; ++c) img[row * 28 + c] = 255;
      if (k % 2 == 1)
        for (int r = 4; r < 24; ++r) img[r * 28 + 14 + k / 2] = 255;
    }
    write_idx(dir / (std::string(prefix) + "-images-idx3-ubyte.gz"), {n, 28, 28}, px, true);
    write_idx(dir / (std::string(prefix) + "-labels-idx1-ubyte.gz"), {n}, lb, true);
  };
  make("train", train_count);
  make("t10k", test_count);
}

}  // namespace convbench::testing
