#include "data/fetch.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/error.hpp"
#include "core/file_io.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Downloads url to dest; returns an empty string on success, else the reason.
std::string download(const std::string& url, const fs::path& dest) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(dest.c_str(), "wb"));
  if (!f) return "cannot write " + dest.string();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, f.get());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 20L);
  const CURLcode rc = curl_easy_perform(curl.get());
  return rc == CURLE_OK ? "" : curl_easy_strerror(rc);
}

using FileList = std::vector<RemoteFile>;

std::vector<fs::path> mirror_places(const fs::path& mirror, const DatasetSpec& spec) {
  std::vector<fs::path> dirs{mirror};
  for (const auto& sub : {spec.mirror_dir, spec.name})
    if (!sub.empty() && std::find(dirs.begin(), dirs.end(), mirror / sub) == dirs.end())
      dirs.push_back(mirror / sub);
  return dirs;
}

std::optional<fs::path> find_in(const std::vector<fs::path>& dirs, const std::string& name) {
  for (const auto& d : dirs)
    if (fs::exists(d / name)) return d / name;
  return std::nullopt;
}

void verify(const fs::path& file, const RemoteFile& rf, const std::string& origin) {
  const auto got = sha256_file(file);
  if (got != rf.sha256)
    fail<DataError>("{}: SHA-256 mismatch for {} from {}: expected {}, got {}", file.string(),
                    rf.name, origin, rf.sha256, got);
}

bool present(const fs::path& dest, const RemoteFile& rf) {
  return fs::exists(dest) && sha256_file(dest) == rf.sha256;
}

// Installs a layout's files from the mirror (those not already present). Each is verified before
// it is copied, and copied under a temporary name, so out_dir never holds a bad or partial file.
std::vector<FetchedFile> copy_from_mirror(const FileList& files, const std::vector<fs::path>& dirs,
                                          const fs::path& out_dir) {
  std::vector<FetchedFile> done;
  for (const auto& rf : files) {
    const fs::path dest = out_dir / rf.name;
    if (present(dest, rf)) {
      done.push_back({dest, FetchSource::already_present});
      continue;
    }
    const fs::path src = *find_in(dirs, rf.name);
    verify(src, rf, src.string());
    const fs::path part = dest.string() + ".part";
    fs::copy_file(src, part, fs::copy_options::overwrite_existing);
    fs::rename(part, dest);
    done.push_back({dest, FetchSource::mirror});
  }
  return done;
}

}  // namespace

std::vector<FetchedFile> fetch_dataset(const DatasetSpec& spec, const FetchOptions& opt) {
  fs::create_directories(opt.out_dir);
  std::vector<const FileList*> layouts{&spec.files};
  if (!spec.mirror_files.empty()) layouts.push_back(&spec.mirror_files);

  // A layout already complete in out_dir needs nothing (e.g. the mirror layout fetched before).
  for (const FileList* layout : layouts)
    if (std::all_of(layout->begin(), layout->end(),
                    [&](const RemoteFile& rf) { return present(opt.out_dir / rf.name, rf); })) {
      std::vector<FetchedFile> done;
      for (const auto& rf : *layout)
        done.push_back({opt.out_dir / rf.name, FetchSource::already_present});
      return done;
    }

  if (opt.mirror) {
    const auto dirs = mirror_places(*opt.mirror, spec);
    std::vector<std::string> missing;
    for (const FileList* layout : layouts) {
      const auto gap = std::find_if(layout->begin(), layout->end(), [&](const RemoteFile& rf) {
        return !find_in(dirs, rf.name) && !present(opt.out_dir / rf.name, rf);
      });
      if (gap == layout->end()) return copy_from_mirror(*layout, dirs, opt.out_dir);
      missing.push_back(gap->name);
    }
    std::vector<std::string> looked;
    for (const auto& d : dirs) looked.push_back(d.string());
    fail<DataError>("{}: mirror has no {} (looked in {})", opt.mirror->string(),
                    fmt::join(missing, " nor (mirror layout) "), fmt::join(looked, ", "));
  }

  std::vector<FetchedFile> done;
  for (const auto& rf : spec.files) {
    const fs::path dest = opt.out_dir / rf.name;
    if (present(dest, rf)) {
      done.push_back({dest, FetchSource::already_present});
      continue;
    }
    const fs::path part = dest.string() + ".part";
    if (!opt.allow_download)
      fail<DataError>("{}: missing and downloads are disabled (give --mirror)", dest.string());
    std::vector<std::string> errors;
    bool ok = false;
    for (const auto& url : rf.urls) {
      if (auto err = download(url, part); !err.empty()) {
        errors.push_back(url + ": " + err);
        continue;
      }
      try {
        verify(part, rf, url);
      } catch (const DataError& e) {
        fs::remove(part);
        errors.push_back(e.what());
        continue;
      }
      fs::rename(part, dest);
      ok = true;
      break;
    }
    fs::remove(part);
    if (!ok)
      fail<DataError>("could not fetch {} ({}); offline machines: pass --mirror DIR", rf.name,
                      fmt::join(errors, "; "));
    done.push_back({dest, FetchSource::download});
  }
  return done;
}

}  // namespace convbench
