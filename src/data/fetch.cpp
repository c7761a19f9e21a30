#include "data/fetch.hpp"

#include <curl/curl.h>

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

std::optional<fs::path> find_in_mirror(const fs::path& mirror, const std::string& dataset,
                                       const std::string& name) {
  for (const auto& p : {mirror / name, mirror / dataset / name})
    if (fs::exists(p)) return p;
  return std::nullopt;
}

void verify(const fs::path& file, const RemoteFile& rf, const std::string& origin) {
  const auto got = sha256_file(file);
  if (got != rf.sha256)
    fail<DataError>("{}: SHA-256 mismatch for {} from {}: expected {}, got {}", file.string(),
                    rf.name, origin, rf.sha256, got);
}

}  // namespace

std::vector<FetchedFile> fetch_dataset(const DatasetSpec& spec, const FetchOptions& opt) {
  fs::create_directories(opt.out_dir);
  std::vector<FetchedFile> done;
  for (const auto& rf : spec.files) {
    const fs::path dest = opt.out_dir / rf.name;
    if (fs::exists(dest) && sha256_file(dest) == rf.sha256) {
      done.push_back({dest, FetchSource::already_present});
      continue;
    }
    const fs::path part = dest.string() + ".part";
    if (opt.mirror) {
      const auto src = find_in_mirror(*opt.mirror, spec.name, rf.name);
      if (!src)
        fail<DataError>("{}: mirror has no {} (looked in {} and {})", opt.mirror->string(), rf.name,
                        opt.mirror->string(), (*opt.mirror / spec.name).string());
      verify(*src, rf, src->string());
      fs::copy_file(*src, part, fs::copy_options::overwrite_existing);
      fs::rename(part, dest);
      done.push_back({dest, FetchSource::mirror});
      continue;
    }
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
