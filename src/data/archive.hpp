#pragma once
// Streams the regular files of an archive (tar, optionally gzip/xz/bzip2-compressed: whatever
// libarchive reads) in archive order, without extracting anything to disk. One pass: a
// compressed tar cannot be read out of order without decompressing it again.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

struct archive;

namespace convbench {

class ArchiveReader {
 public:
  // DataError naming the file if it cannot be opened.
  explicit ArchiveReader(const std::filesystem::path& path);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // Moves to the next regular file (directories and links are skipped); false at the end.
  // DataError naming the archive if it is corrupt or truncated, or not an archive at all.
  bool next();
  // The current file's path inside the archive, without a leading "./".
  std::string_view entry_path() const { return entry_path_; }
  // The current file's content (call at most once per entry; unread content is skipped).
  std::string read();
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Free {
    void operator()(archive* a) const;
  };
  std::filesystem::path path_;
  std::unique_ptr<archive, Free> a_;
  std::string entry_path_;
  std::int64_t entry_size_ = -1;  // -1: unknown
};

}  // namespace convbench
