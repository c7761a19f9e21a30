#include "data/archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <system_error>

#include "core/error.hpp"

namespace convbench {
namespace {

// libarchive leaves the error string unset for some failures (a cpio header it cannot parse);
// a null const char* would make fmt throw instead of the DataError.
const char* error_of(archive* a) {
  const char* e = archive_error_string(a);
  return e != nullptr ? e : "no detail from libarchive";
}

}  // namespace

void ArchiveReader::Free::operator()(archive* a) const { archive_read_free(a); }

ArchiveReader::ArchiveReader(const std::filesystem::path& path)
    : path_(path), a_(archive_read_new()) {
  if (!a_) fail("{}: cannot allocate an archive reader", path.string());
  archive_read_support_filter_all(a_.get());
  archive_read_support_format_all(a_.get());
  if (archive_read_open_filename(a_.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    fail<DataError>("{}: cannot open archive: {}", path.string(), error_of(a_.get()));
}

ArchiveReader::~ArchiveReader() = default;

bool ArchiveReader::next() {
  for (;;) {
    archive_entry* e = nullptr;
    const int rc = archive_read_next_header(a_.get(), &e);
    if (rc == ARCHIVE_EOF) return false;
    // ARCHIVE_WARN (e.g. an unknown pax keyword) still yields a usable entry.
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      fail<DataError>("{}: corrupt or truncated archive (after '{}'): {}", path_.string(),
                      entry_path_, error_of(a_.get()));
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const char* name = archive_entry_pathname(e);
    std::string_view p = name ? name : "";
    while (p.starts_with("./")) p.remove_prefix(2);
    entry_path_.assign(p);
    entry_size_ = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
    return true;
  }
}

std::string ArchiveReader::read() {
  std::string out;
  // The header's size is only a hint: a forged one (8 EiB) must not become an allocation. Up to
  // the archive's own size it is reserved at once; a compressed entry beyond that grows as read.
  std::error_code ec;
  const std::uintmax_t file_bytes = std::filesystem::file_size(path_, ec);
  if (entry_size_ > 0 && !ec)
    out.reserve(static_cast<std::size_t>(
        std::min<std::uintmax_t>(static_cast<std::uintmax_t>(entry_size_), file_bytes)));
  char buf[1 << 16];
  for (;;) {
    const la_ssize_t n = archive_read_data(a_.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0)
      fail<DataError>("{}: cannot read '{}' from the archive (corrupt or truncated): {}",
                      path_.string(), entry_path_, error_of(a_.get()));
    out.append(buf, static_cast<std::size_t>(n));
  }
  if (entry_size_ >= 0 && out.size() != static_cast<std::size_t>(entry_size_))
    fail<DataError>("{}: '{}' is truncated in the archive ({} of {} bytes)", path_.string(),
                    entry_path_, out.size(), entry_size_);
  return out;
}

}  // namespace convbench
