#include "fixtures.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <memory>
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
  write_bytes(path, b, gz);
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes,
                 bool gz) {
  if (!gz) {
    write_file(path, bytes.data(), bytes.size());
    return;
  }
  std::filesystem::create_directories(path.parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("gzopen " + path.string());
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
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

void write_cifar_batch(const std::filesystem::path& path, const std::vector<std::uint8_t>& labels,
                       const std::vector<std::uint8_t>& pixels, bool gz) {
  if (pixels.size() != labels.size() * 3072) throw std::runtime_error("cifar fixture: sizes");
  std::vector<std::uint8_t> b;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    b.push_back(labels[i]);
    b.insert(b.end(), pixels.begin() + static_cast<std::ptrdiff_t>(i * 3072),
             pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * 3072));
  }
  write_bytes(path, b, gz);
}

std::uint8_t cifar_pattern(std::uint32_t record, std::uint32_t channel, std::uint32_t pixel) {
  return static_cast<std::uint8_t>((record * 7 + channel * 85 + pixel * 3) % 256);
}

void write_synthetic_cifar10(const std::filesystem::path& dir, std::uint32_t per_batch,
                             std::uint32_t test_count, bool gz) {
  auto batch = [&](const std::string& name, std::uint32_t first, std::uint32_t n) {
    std::vector<std::uint8_t> labels, pixels;
    for (std::uint32_t r = first; r < first + n; ++r) {
      labels.push_back(static_cast<std::uint8_t>(r % 10));
      for (std::uint32_t c = 0; c < 3; ++c)
        for (std::uint32_t p = 0; p < 1024; ++p) pixels.push_back(cifar_pattern(r, c, p));
    }
    write_cifar_batch(dir / (name + (gz ? ".bin.gz" : ".bin")), labels, pixels, gz);
  };
  for (std::uint32_t k = 1; k <= 5; ++k)
    batch("data_batch_" + std::to_string(k), (k - 1) * per_batch, per_batch);
  batch("test_batch", 0, test_count);
  // Like the official file: names padded with spaces, a final empty line.
  const std::string meta =
      "airplane  \nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
  write_file(dir / "batches.meta.txt", meta.data(), meta.size());
}

void write_tar(const std::filesystem::path& path,
               const std::vector<std::pair<std::string, std::string>>& entries) {
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  const std::string name = path.filename().string();
  if (name.ends_with(".gz")) archive_write_add_filter_gzip(a.get());
  if (name.ends_with(".xz")) archive_write_add_filter_xz(a.get());
  std::filesystem::create_directories(path.parent_path());
  if (archive_write_open_filename(a.get(), path.c_str()) != ARCHIVE_OK)
    throw std::runtime_error("write_tar: " + std::string(archive_error_string(a.get())));
  for (const auto& [p, content] : entries) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                    archive_entry_free);
    archive_entry_set_pathname(e.get(), p.c_str());
    const bool dir = p.ends_with('/');
    archive_entry_set_filetype(e.get(), dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), dir ? 0755 : 0644);
    archive_entry_set_size(e.get(), dir ? 0 : static_cast<la_int64_t>(content.size()));
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK)
      throw std::runtime_error("write_tar: " + std::string(archive_error_string(a.get())));
    if (!dir) archive_write_data(a.get(), content.data(), content.size());
  }
  archive_write_close(a.get());
}

std::vector<FixtureReview> tiny_imdb_reviews() {
  return {
      {"train", "neg", 10, 1, "Awful.<br /><br />The WORST film, truly awful!"},
      {"train", "neg", 2, 4, "Boring plot; the actors' lines were boring."},
      {"train", "neg", 7, 3, "I didn't like it. Awful, awful."},
      {"train", "pos", 3, 10, "A great film!<br />Great cast, great plot."},
      {"train", "pos", 0, 8, "Caf\xc3\xa9 scenes were great; I loved the film."},
      {"test", "neg", 1, 2, "Awful acting and a boring script."},
      {"test", "neg", 0, 1, "Terrible. Unwatchable."},
      {"test", "pos", 5, 9, "Great great GREAT film."},
      {"test", "pos", 4, 7, "Loved it, a great plot and a great cast."},
  };
}

std::vector<std::pair<std::string, std::string>> imdb_entries(
    const std::vector<FixtureReview>& reviews) {
  std::vector<std::pair<std::string, std::string>> e = {
      {"aclImdb/", ""},
      {"aclImdb/README", "Large Movie Review Dataset v1.0 (fixture)\n"},
      {"aclImdb/imdb.vocab", "the\nand\n"},
      {"aclImdb/train/unsup/0_0.txt", "Unlabelled review, ignored."},
      {"aclImdb/train/urls_pos.txt", "http://www.imdb.com/title/tt0000000/usercomments\n"},
  };
  for (const auto& r : reviews)
    e.emplace_back("aclImdb/" + r.split + "/" + r.cls + "/" + std::to_string(r.id) + "_" +
                       std::to_string(r.rating) + ".txt",
                   r.text);
  return e;
}

void write_imdb_folder(const std::filesystem::path& dir,
                       const std::vector<FixtureReview>& reviews) {
  for (const auto& [p, content] : imdb_entries(reviews)) {
    if (p.ends_with('/'))
      std::filesystem::create_directories(dir / p);
    else
      write_file(dir / p, content.data(), content.size());
  }
}

}  // namespace convbench::testing
