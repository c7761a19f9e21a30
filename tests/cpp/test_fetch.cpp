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

// A dataset with an official layout (one archive) and a different mirror layout (two files in
// the mirror's "sub" folder), as cifar10 and imdb have; checksums computed from the contents.
class FetchLayoutsTest : public FetchTest {
 protected:
  std::string sha(std::string_view text) {
    put(dir_ / "sha.tmp", text);
    return sha256_file(dir_ / "sha.tmp");
  }
  DatasetSpec layered() {
    return {"toy2",
            {{"toy.tar.gz", sha("official archive"), {"http://127.0.0.1:9/toy.tar.gz"}}},
            {{"part1.bin.gz", sha("part one"), {}}, {"meta.txt", sha("meta"), {}}},
            "sub"};
  }
};

TEST_F(FetchLayoutsTest, MirrorLayoutCopiedFromDatasetFolder) {
  const auto spec = layered();
  put(dir_ / "mirror/sub/part1.bin.gz", "part one");
  put(dir_ / "mirror/sub/meta.txt", "meta");
  FetchOptions o{dir_ / "out", dir_ / "mirror", false};
  const auto got = fetch_dataset(spec, o);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].path, dir_ / "out/part1.bin.gz");
  EXPECT_EQ(got[0].source, FetchSource::mirror);
  EXPECT_EQ(got[1].path, dir_ / "out/meta.txt");
  EXPECT_EQ(sha256_file(dir_ / "out/meta.txt"), spec.mirror_files[1].sha256);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/toy.tar.gz"));
  // Again, even without a mirror: the complete mirror layout is already there.
  FetchOptions offline{dir_ / "out", std::nullopt, false};
  const auto again = fetch_dataset(spec, offline);
  ASSERT_EQ(again.size(), 2U);
  EXPECT_EQ(again[1].source, FetchSource::already_present);
}

TEST_F(FetchLayoutsTest, OfficialLayoutPreferredWhenMirrorHasBoth) {
  const auto spec = layered();
  put(dir_ / "mirror/toy.tar.gz", "official archive");
  put(dir_ / "mirror/sub/part1.bin.gz", "part one");
  put(dir_ / "mirror/sub/meta.txt", "meta");
  const auto got = fetch_dataset(spec, {dir_ / "out", dir_ / "mirror", false});
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].path, dir_ / "out/toy.tar.gz");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/meta.txt"));
}

TEST_F(FetchLayoutsTest, MirrorLayoutChecksumMismatchRejectedAndNotInstalled) {
  const auto spec = layered();
  put(dir_ / "mirror/sub/part1.bin.gz", "part one");
  put(dir_ / "mirror/sub/meta.txt", "tampered");
  FetchOptions o{dir_ / "out", dir_ / "mirror", false};
  EXPECT_THROW_WITH(fetch_dataset(spec, o), DataError, "SHA-256 mismatch", "meta.txt",
                    spec.mirror_files[1].sha256.c_str());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/meta.txt"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/meta.txt.part"));
}

TEST_F(FetchLayoutsTest, IncompleteMirrorNamesWhatEachLayoutLacks) {
  put(dir_ / "mirror/sub/part1.bin.gz", "part one");
  FetchOptions o{dir_ / "out", dir_ / "mirror", false};
  EXPECT_THROW_WITH(fetch_dataset(layered(), o), DataError, "mirror has no toy.tar.gz", "meta.txt",
                    "mirror/sub");
}

TEST(Catalogue, MnistHasFourPinnedFiles) {
  const auto& s = dataset_spec("mnist");
  ASSERT_EQ(s.files.size(), 4U);
  for (const auto& f : s.files) EXPECT_EQ(f.sha256.size(), 64U);
  EXPECT_THROW(dataset_spec("nope"), UsageError);
}

TEST(Catalogue, Cifar10AndImdbPinOfficialArchivesAndMirrorFiles) {
  const auto& c = dataset_spec("cifar10");
  ASSERT_EQ(c.files.size(), 1U);
  EXPECT_EQ(c.files[0].name, "cifar-10-binary.tar.gz");
  EXPECT_EQ(c.files[0].sha256, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd");
  EXPECT_EQ(c.mirror_dir, "cifar-10-batches-bin");
  ASSERT_EQ(c.mirror_files.size(), 7U);  // six batches + batches.meta.txt
  EXPECT_EQ(c.mirror_files[5].name, "test_batch.bin.gz");
  const auto& i = dataset_spec("imdb");
  ASSERT_EQ(i.files.size(), 1U);
  EXPECT_EQ(i.files[0].urls.at(0),
            "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz");
  EXPECT_EQ(i.files[0].sha256, "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe");
  ASSERT_EQ(i.mirror_files.size(), 1U);
  EXPECT_EQ(i.mirror_files[0].name, "aclImdb.tar.xz");
  for (const auto* s : {&c, &i})
    for (const auto& f : s->mirror_files) {
      EXPECT_EQ(f.sha256.size(), 64U) << f.name;
      EXPECT_TRUE(f.urls.empty()) << f.name;  // mirror-only
    }
  EXPECT_EQ(dataset_names(), (std::vector<std::string>{"mnist", "cifar10", "imdb"}));
}

}  // namespace
}  // namespace convbench
