#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/archive.hpp"
#include "data/imdb.hpp"
#include "fixtures.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

using testing::TempDirTest;

class ImdbTest : public TempDirTest {
 protected:
  // (label, id) of each review, in load order.
  static std::vector<std::pair<std::int64_t, std::int64_t>> keys(const std::vector<Review>& v) {
    std::vector<std::pair<std::int64_t, std::int64_t>> k;
    for (const auto& r : v) k.emplace_back(r.label, r.id);
    return k;
  }
  void put(const std::filesystem::path& p, std::string_view text) {
    write_file(p, text.data(), text.size());
  }
};

TEST_F(ImdbTest, FolderOrderIsBalancedAndDeterministic) {
  testing::write_imdb_folder(dir_, testing::tiny_imdb_reviews());
  const auto train = load_imdb(dir_, Split::train);
  // neg ids 2, 7, 10 and pos ids 0, 3, interleaved neg first; the extra neg comes last.
  EXPECT_EQ(keys(train), (std::vector<std::pair<std::int64_t, std::int64_t>>{
                             {0, 2}, {1, 0}, {0, 7}, {1, 3}, {0, 10}}));
  EXPECT_EQ(train[1].rating, 8);
  EXPECT_EQ(train[1].text, "Caf\xc3\xa9 scenes were great; I loved the film.");
  EXPECT_EQ(train[4].text, "Awful.<br /><br />The WORST film, truly awful!");
  const auto test = load_imdb(dir_, Split::test);
  EXPECT_EQ(keys(test),
            (std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 0}, {1, 4}, {0, 1}, {1, 5}}));
  // Being the aclImdb folder itself works too.
  EXPECT_EQ(keys(load_imdb(dir_ / "aclImdb", Split::test)), keys(test));
}

TEST_F(ImdbTest, ArchivesGiveTheSameSamplesAsTheFolder) {
  const auto reviews = testing::tiny_imdb_reviews();
  testing::write_imdb_folder(dir_ / "folder", reviews);
  testing::write_tar(dir_ / "gz" / "aclImdb_v1.tar.gz", testing::imdb_entries(reviews));
  testing::write_tar(dir_ / "xz" / "aclImdb.tar.xz", testing::imdb_entries(reviews));
  const Split both[] = {Split::train, Split::test};
  const auto ref = load_imdb(dir_ / "folder", both);
  ASSERT_EQ(ref.train.size(), 5U);
  ASSERT_EQ(ref.test.size(), 4U);
  for (const char* sub : {"gz", "xz"}) {
    const auto got = load_imdb(dir_ / sub, both);
    ASSERT_EQ(keys(got.train), keys(ref.train)) << sub;
    ASSERT_EQ(keys(got.test), keys(ref.test)) << sub;
    for (std::size_t i = 0; i < ref.train.size(); ++i) {
      EXPECT_EQ(got.train[i].text, ref.train[i].text) << sub << " " << i;
      EXPECT_EQ(got.train[i].rating, ref.train[i].rating) << sub << " " << i;
    }
    for (std::size_t i = 0; i < ref.test.size(); ++i)
      EXPECT_EQ(got.test[i].text, ref.test[i].text) << sub << " " << i;
  }
  // One split only: the other stays empty.
  const auto only_test = load_imdb(dir_ / "xz", std::span(both + 1, 1));
  EXPECT_TRUE(only_test.train.empty());
  EXPECT_EQ(only_test.test.size(), 4U);
}

TEST_F(ImdbTest, MalformedFileNameRejectedInFolderAndArchive) {
  auto reviews = testing::tiny_imdb_reviews();
  testing::write_imdb_folder(dir_ / "f", reviews);
  put(dir_ / "f/aclImdb/train/pos/12.txt", "no rating");
  EXPECT_THROW_WITH(load_imdb(dir_ / "f", Split::train), DataError, "train/pos/12.txt",
                    "malformed review file name '12.txt'", "<id>_<rating>.txt");
  // The test split does not look at train files.
  EXPECT_EQ(load_imdb(dir_ / "f", Split::test).size(), 4U);

  auto entries = testing::imdb_entries(reviews);
  entries.emplace_back("aclImdb/test/neg/7_x.txt", "bad");
  testing::write_tar(dir_ / "a" / "aclImdb.tar.xz", entries);
  EXPECT_THROW_WITH(load_imdb(dir_ / "a", Split::test), DataError,
                    "aclImdb.tar.xz:aclImdb/test/neg/7_x.txt", "malformed review file name");
}

TEST_F(ImdbTest, RatingMustFitItsFolderAndIdsMustBeUnique) {
  auto reviews = testing::tiny_imdb_reviews();
  reviews.push_back({"test", "pos", 9, 3, "in the wrong folder"});
  testing::write_imdb_folder(dir_ / "a", reviews);
  EXPECT_THROW_WITH(load_imdb(dir_ / "a", Split::test), DataError, "9_3.txt", "rating 3",
                    "pos has 7..10");
  reviews.back() = {"test", "pos", 5, 10, "same id as 5_9.txt"};
  testing::write_imdb_folder(dir_ / "b", reviews);
  EXPECT_THROW_WITH(load_imdb(dir_ / "b", Split::test), DataError, "review id 5",
                    "twice in aclImdb/test/pos");
}

TEST_F(ImdbTest, MissingOrEmptyFoldersRejected) {
  auto reviews = testing::tiny_imdb_reviews();
  std::erase_if(reviews, [](const auto& r) { return r.split == "test" && r.cls == "pos"; });
  testing::write_imdb_folder(dir_ / "f", reviews);
  EXPECT_THROW_WITH(load_imdb(dir_ / "f", Split::test), DataError, "test/pos", "missing");
  std::filesystem::create_directories(dir_ / "f/aclImdb/test/pos");
  EXPECT_THROW_WITH(load_imdb(dir_ / "f", Split::test), DataError,
                    "no reviews in aclImdb/test/pos");
  testing::write_tar(dir_ / "a" / "aclImdb_v1.tar.gz", testing::imdb_entries(reviews));
  EXPECT_THROW_WITH(load_imdb(dir_ / "a", Split::test), DataError, "aclImdb_v1.tar.gz",
                    "no reviews in aclImdb/test/pos");
  EXPECT_EQ(load_imdb(dir_ / "a", Split::train).size(), 5U);
  EXPECT_THROW_WITH(load_imdb(dir_ / "nothing", Split::test), DataError, "no IMDb data",
                    "aclImdb_v1.tar.gz", "aclImdb.tar.xz");
}

TEST_F(ImdbTest, NotAnArchiveRejected) {
  put(dir_ / "aclImdb.tar.xz", "this is not an xz file");
  EXPECT_THROW_WITH(load_imdb(dir_, Split::test), DataError, "aclImdb.tar.xz");
}

// A one-entry ustar archive whose header's size field is `size` (12 bytes), with no data.
std::string tar_with_size_field(const std::string& size) {
  std::string h(512, '\0');
  h.replace(0, 7, "big.bin");
  h.replace(100, 8, std::string("0000644\0", 8));
  h.replace(124, 12, size);
  h.replace(136, 12, std::string("00000000000\0", 12));
  h.replace(148, 8, "        ");
  h[156] = '0';
  h.replace(257, 8,
            std::string("ustar\0"
                        "00",
                        8));
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  h.replace(148, 8, fmt::format("{:06o}", sum) + std::string("\0 ", 2));
  return h + std::string(1024, '\0');
}

// Found by review while fuzzing: read() reserved the size the entry's header claims before
// reading anything; 2^62 bytes (base-256 size field) threw std::length_error, a forged 8 GiB
// became an 8 GiB allocation. The reservation is now bounded by the archive's own size.
TEST_F(ImdbTest, ArchiveEntrySizeIsNotTrustedForAllocation) {
  const std::string size =
      std::string("\x80", 1) + std::string(3, '\0') + '\x40' + std::string(7, '\0');
  ASSERT_EQ(size.size(), 12U);
  const std::string tar = tar_with_size_field(size);
  put(dir_ / "big.tar", tar);
  ArchiveReader ar(dir_ / "big.tar");
  ASSERT_TRUE(ar.next());
  EXPECT_EQ(ar.entry_path(), "big.bin");
  EXPECT_THROW_WITH(ar.read(), DataError, "big.tar", "big.bin");
}

// Found by fuzz/fuzz_archive: for some malformed headers (a cpio "070707" magic and garbage)
// libarchive sets no error string, and formatting the null pointer made fmt throw format_error
// instead of the DataError.
TEST_F(ImdbTest, ArchiveErrorsWithoutDetailAreDataErrors) {
  put(dir_ / "x.cpio", std::string("070707\xfb\xfb", 8));
  ArchiveReader ar(dir_ / "x.cpio");
  EXPECT_THROW_WITH(ar.next(), DataError, "x.cpio", "corrupt or truncated archive");
  put(dir_ / "aclImdb.tar.xz", std::string("070707\xfb\xfb", 8));
  EXPECT_THROW_WITH(load_imdb(dir_, Split::test), DataError, "aclImdb.tar.xz");
}

}  // namespace
}  // namespace convbench
