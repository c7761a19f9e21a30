#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/fetch.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

class FetchTest : public testing::TempDirTest {
 protected:
  DatasetSpec spec() {
    // sha256("hello\n")
    return {"toy",
            {{"a.txt",
              "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
              {"http://127.0.0.1:9/a.txt"}}}};
  }
  void put(const std::filesystem::path& p, std::string_view text) {
    write_file(p, text.data(), text.size());
  }
};

TEST_F(FetchTest, CopiesFromMirrorAndVerifies) {
  put(dir_ / "mirror/toy/a.txt", "hello\n");
  FetchOptions o{dir_ / "out", dir_ / "mirror", false};
  auto got = fetch_dataset(spec(), o);
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].source, FetchSource::mirror);
  EXPECT_EQ(sha256_file(dir_ / "out/a.txt"), spec().files[0].sha256);
  // Second time: already present, nothing copied.
  EXPECT_EQ(fetch_dataset(spec(), o)[0].source, FetchSource::already_present);
}

TEST_F(FetchTest, ChecksumMismatchInMirrorRejectedAndNotInstalled) {
  put(dir_ / "mirror/a.txt", "tampered\n");
  FetchOptions o{dir_ / "out", dir_ / "mirror", false};
  EXPECT_THROW_WITH(fetch_dataset(spec(), o), DataError, "SHA-256 mismatch", "a.txt");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/a.txt"));
}

TEST_F(FetchTest, MissingInMirrorNamesPlacesLooked) {
  std::filesystem::create_directories(dir_ / "mirror");
  FetchOptions o{dir_ / "out", dir_ / "mirror", false};
  EXPECT_THROW_WITH(fetch_dataset(spec(), o), DataError, "mirror has no a.txt");
}

TEST_F(FetchTest, UnreachableDownloadSaysSoAndSuggestsMirror) {
  FetchOptions o{dir_ / "out", std::nullopt, true};
  EXPECT_THROW_WITH(fetch_dataset(spec(), o), DataError, "could not fetch a.txt", "--mirror");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/a.txt.part"));
}

TEST(Catalogue, MnistHasFourPinnedFiles) {
  const auto& s = dataset_spec("mnist");
  ASSERT_EQ(s.files.size(), 4U);
  for (const auto& f : s.files) EXPECT_EQ(f.sha256.size(), 64U);
  EXPECT_THROW(dataset_spec("nope"), UsageError);
}

}  // namespace
}  // namespace convbench
