#include "data/cifar10.hpp"

#include <optional>
#include <sstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/archive.hpp"
#include "data/data_files.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSubdir = "cifar-10-batches-bin";
constexpr std::string_view kArchive = "cifar-10-binary.tar.gz";
constexpr std::string_view kMetaFile = "batches.meta.txt";

std::vector<std::string> batch_names(Split split) {
  if (split == Split::test) return {"test_batch.bin"};
  std::vector<std::string> names;
  for (int i = 1; i <= 5; ++i) names.push_back("data_batch_" + std::to_string(i) + ".bin");
  return names;
}

// Where the data lives: a folder with the batch files, or the official archive.
struct Source {
  std::optional<fs::path> folder;
  std::optional<fs::path> archive;
};

Source locate(const fs::path& dir) {
  auto has_batches = [](const fs::path& d) {
    for (auto split : {Split::test, Split::train})
      for (const auto& name : batch_names(split))
        if (has_data_file(d, name)) return true;
    return false;
  };
  if (has_batches(dir)) return {dir, std::nullopt};
  if (has_batches(dir / kSubdir)) return {dir / kSubdir, std::nullopt};
  if (fs::exists(dir / kArchive)) return {std::nullopt, dir / kArchive};
  fail<DataError>(
      "{}: no CIFAR-10 data: expected data_batch_1..5.bin and test_batch.bin (raw or .gz) here or "
      "in {}/, or {} (run `convbench data fetch cifar10`)",
      dir.string(), kSubdir, kArchive);
}

// The archive's file name for a batch: the official tarball holds cifar-10-batches-bin/<name>.
bool archive_entry_is(std::string_view entry, std::string_view name) {
  return entry == std::string(kSubdir) + "/" + std::string(name);
}

std::vector<std::string> parse_meta(std::string_view text, const std::string& source) {
  std::vector<std::string> names;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    // The official file pads lines with spaces; blank lines (the final one) carry nothing.
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r");
    names.push_back(line.substr(b, e - b + 1));
  }
  if (names.size() != 10)
    fail<DataError>("{}: names {} classes, CIFAR-10 has 10", source, names.size());
  return names;
}

}  // namespace

ChannelNorm cifar10_norm() {
  ChannelNorm n;
  for (std::size_t c = 0; c < 3; ++c) {
    n.mean.push_back(static_cast<float>(kCifar10Mean[c]));
    n.std.push_back(static_cast<float>(kCifar10Std[c]));
  }
  return n;
}

void append_cifar10_records(std::span<const std::uint8_t> bytes, std::string_view source,
                            LabelledImages& out) {
  if (bytes.empty() || bytes.size() % kCifar10RecordBytes != 0)
    fail<DataError>(
        "{}: {} bytes is not a multiple of {} (1 label + 3072 pixel bytes per record): truncated "
        "or not a CIFAR-10 binary batch",
        source, bytes.size(), kCifar10RecordBytes);
  const std::size_t n = bytes.size() / kCifar10RecordBytes;
  const std::size_t image_bytes = kCifar10RecordBytes - 1;
  if (out.count == 0) {
    out.channels = 3;
    out.height = out.width = static_cast<std::int64_t>(kCifar10Side);
  }
  out.pixels.reserve(out.pixels.size() + n * image_bytes);
  out.labels.reserve(out.labels.size() + n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* rec = bytes.data() + i * kCifar10RecordBytes;
    if (rec[0] > 9) fail<DataError>("{}: label {} in record {} is outside 0..9", source, rec[0], i);
    out.labels.push_back(rec[0]);
    // The record's R, G, B planes are already the planar (C,H,W) order LabelledImages keeps.
    out.pixels.insert(out.pixels.end(), rec + 1, rec + kCifar10RecordBytes);
  }
  out.count += static_cast<std::int64_t>(n);
}

LabelledImages load_cifar10(const fs::path& dir, Split split) {
  const auto names = batch_names(split);
  const Source src = locate(dir);
  LabelledImages out;
  if (src.folder) {
    for (const auto& name : names) {
      const fs::path file = find_data_file(*src.folder, name);
      append_cifar10_records(read_file(file), file.string(), out);
    }
    return out;
  }
  // One pass over the tarball; its entries need not be in batch order, so keep them until all
  // are there and append in order.
  std::vector<std::optional<std::string>> contents(names.size());
  ArchiveReader ar(*src.archive);
  std::size_t found = 0;
  while (found < names.size() && ar.next())
    for (std::size_t i = 0; i < names.size(); ++i)
      if (!contents[i] && archive_entry_is(ar.entry_path(), names[i])) {
        contents[i] = ar.read();
        ++found;
      }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string source = fmt::format("{}:{}/{}", src.archive->string(), kSubdir, names[i]);
    if (!contents[i]) fail<DataError>("{}: not in the archive", source);
    const auto& c = *contents[i];
    append_cifar10_records({reinterpret_cast<const std::uint8_t*>(c.data()), c.size()}, source,
                           out);
    contents[i].reset();
  }
  return out;
}

std::vector<std::string> cifar10_class_names(const fs::path& dir) {
  const Source src = locate(dir);
  if (src.folder) {
    const fs::path meta = *src.folder / kMetaFile;
    if (fs::exists(meta)) {
      const Bytes b = read_file(meta);
      return parse_meta({reinterpret_cast<const char*>(b.data()), b.size()}, meta.string());
    }
  } else {
    ArchiveReader ar(*src.archive);
    while (ar.next())
      if (archive_entry_is(ar.entry_path(), kMetaFile))
        return parse_meta(ar.read(), fmt::format("{}:{}", src.archive->string(), ar.entry_path()));
  }
  return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
}

}  // namespace convbench
