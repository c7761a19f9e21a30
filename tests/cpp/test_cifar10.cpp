#include <fstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/cifar10.hpp"
#include "fixtures.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

using testing::cifar_pattern;
using testing::TempDirTest;

class Cifar10Test : public TempDirTest {};

// One 32x32 record whose planes are constant except pixel 0: R=255, G=0, B=51 there.
std::vector<std::uint8_t> one_image() {
  std::vector<std::uint8_t> px(3072);
  for (std::size_t c = 0; c < 3; ++c)
    std::fill(px.begin() + static_cast<std::ptrdiff_t>(c * 1024),
              px.begin() + static_cast<std::ptrdiff_t>((c + 1) * 1024), 10 * (c + 1));
  px[0] = 255;
  px[1024] = 0;
  px[2048] = 51;
  return px;
}

TEST_F(Cifar10Test, LoadsTrainBatchesInOrderRawAndGzipped) {
  for (bool gz : {false, true}) {
    const auto dir = dir_ / (gz ? "gz" : "raw");
    testing::write_synthetic_cifar10(dir, 3, 4, gz);
    const LabelledImages train = load_cifar10(dir, Split::train);
    EXPECT_EQ(train.count, 15);
    EXPECT_EQ(train.channels, 3);
    EXPECT_EQ(train.height, 32);
    EXPECT_EQ(train.width, 32);
    ASSERT_EQ(train.labels.size(), 15U);
    for (std::int64_t r = 0; r < 15; ++r) EXPECT_EQ(train.labels[r], r % 10) << r;
    // Record 7 is data_batch_3's second record; its G plane, pixel 5.
    EXPECT_EQ(train.pixels[7 * 3072 + 1024 + 5], cifar_pattern(7, 1, 5));
    const LabelledImages test = load_cifar10(dir, Split::test);
    EXPECT_EQ(test.count, 4);
    EXPECT_EQ(test.labels, (std::vector<std::int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(test.pixels[3 * 3072 + 2048 + 1023], cifar_pattern(3, 2, 1023));
  }
}

TEST_F(Cifar10Test, ReadsSubfolderAndOfficialArchiveAlike) {
  testing::write_synthetic_cifar10(dir_ / "a" / "cifar-10-batches-bin", 2, 3, false);
  // The official tarball's layout; entries deliberately out of batch order.
  std::vector<std::pair<std::string, std::string>> entries = {{"cifar-10-batches-bin/", ""}};
  for (const char* name :
       {"data_batch_5.bin", "test_batch.bin", "data_batch_1.bin", "batches.meta.txt",
        "data_batch_3.bin", "data_batch_2.bin", "data_batch_4.bin"}) {
    const Bytes b = read_file(dir_ / "a" / "cifar-10-batches-bin" / name);
    entries.emplace_back(std::string("cifar-10-batches-bin/") + name,
                         std::string(b.begin(), b.end()));
  }
  testing::write_tar(dir_ / "b" / "cifar-10-binary.tar.gz", entries);
  for (auto split : {Split::train, Split::test}) {
    const auto folder = load_cifar10(dir_ / "a", split);
    const auto archive = load_cifar10(dir_ / "b", split);
    EXPECT_EQ(folder.count, split == Split::train ? 10 : 3);
    EXPECT_EQ(archive.count, folder.count);
    EXPECT_EQ(archive.labels, folder.labels);
    EXPECT_EQ(archive.pixels, folder.pixels);
  }
  EXPECT_EQ(cifar10_class_names(dir_ / "b")[9], "truck");
}

TEST_F(Cifar10Test, TruncatedFileNamesFileSizeAndProblem) {
  testing::write_synthetic_cifar10(dir_, 2, 2, false);
  const auto p = dir_ / "test_batch.bin";
  const Bytes b = read_file(p);
  write_file(p, b.data(), b.size() - 5);  // 6141 bytes
  EXPECT_THROW_WITH(load_cifar10(dir_, Split::test), DataError, "test_batch.bin", "6141 bytes",
                    "not a multiple of 3073", "truncated");
  write_file(p, b.data(), 0);
  EXPECT_THROW_WITH(load_cifar10(dir_, Split::test), DataError, "0 bytes");
}

TEST_F(Cifar10Test, TruncatedArchiveRejected) {
  testing::write_synthetic_cifar10(dir_ / "src", 1, 200, false);
  const Bytes b = read_file(dir_ / "src" / "test_batch.bin");
  const auto tgz = dir_ / "cifar-10-binary.tar.gz";
  testing::write_tar(tgz,
                     {{"cifar-10-batches-bin/test_batch.bin", std::string(b.begin(), b.end())}});
  std::ifstream in(tgz, std::ios::binary);
  const Bytes gz(std::istreambuf_iterator<char>(in), {});
  write_file(tgz, gz.data(), gz.size() / 2);
  EXPECT_THROW_WITH(load_cifar10(dir_, Split::test), DataError, "cifar-10-binary.tar.gz",
                    "truncated");
}

TEST_F(Cifar10Test, LabelOutsideRangeRejected) {
  std::vector<std::uint8_t> px(2 * 3072, 1);
  testing::write_cifar_batch(dir_ / "test_batch.bin", {3, 10}, px);
  EXPECT_THROW_WITH(load_cifar10(dir_, Split::test), DataError, "test_batch.bin", "label 10",
                    "record 1", "0..9");
}

TEST_F(Cifar10Test, MissingDataSaysWhereItLooked) {
  EXPECT_THROW_WITH(load_cifar10(dir_, Split::test), DataError, "no CIFAR-10 data",
                    "cifar-10-batches-bin", "cifar-10-binary.tar.gz");
  // Test batch present, a train batch missing: that file is named.
  testing::write_cifar_batch(dir_ / "test_batch.bin", {1}, std::vector<std::uint8_t>(3072));
  EXPECT_THROW_WITH(load_cifar10(dir_, Split::train), DataError, "data_batch_1.bin");
}

TEST_F(Cifar10Test, PlanesBecomeNchwAndNhwc) {
  testing::write_cifar_batch(dir_ / "test_batch.bin", {4}, one_image());
  const LabelledImages im = load_cifar10(dir_, Split::test);
  const Tensor nchw = to_tensor(im, Layout::NCHW);
  ASSERT_EQ(nchw.shape, (Shape{1, 3, 32, 32}));
  EXPECT_FLOAT_EQ(nchw.data[0], 1.0F);         // R (0,0)
  EXPECT_FLOAT_EQ(nchw.data[1], 10 / 255.0F);  // R (0,1)
  EXPECT_FLOAT_EQ(nchw.data[1024], 0.0F);      // G (0,0)
  EXPECT_FLOAT_EQ(nchw.data[1025], 20 / 255.0F);
  EXPECT_FLOAT_EQ(nchw.data[2048], 0.2F);  // B (0,0)
  EXPECT_FLOAT_EQ(nchw.data[2049], 30 / 255.0F);
  const Tensor nhwc = to_tensor(im, Layout::NHWC);
  ASSERT_EQ(nhwc.shape, (Shape{1, 32, 32, 3}));
  EXPECT_EQ(std::vector<float>(nhwc.data.begin(), nhwc.data.begin() + 6),
            (std::vector<float>{1.0F, 0.0F, 0.2F, 10 / 255.0F, 20 / 255.0F, 30 / 255.0F}));
}

TEST_F(Cifar10Test, NormalisationUsesTheDocumentedStatistics) {
  testing::write_cifar_batch(dir_ / "test_batch.bin", {4}, one_image());
  const LabelledImages im = load_cifar10(dir_, Split::test);
  const Tensor t = to_tensor(im, Layout::NHWC, cifar10_norm());
  // By hand: (255/255 - 0.4914) / 0.2470, (0 - 0.4822) / 0.2435, (51/255 - 0.4465) / 0.2616.
  EXPECT_NEAR(t.data[0], 2.059109, 1e-5);
  EXPECT_NEAR(t.data[1], -1.980287, 1e-5);
  EXPECT_NEAR(t.data[2], -0.942278, 1e-5);
  // Pixel (0,1): R=10, G=20, B=30.
  EXPECT_NEAR(t.data[3], (10 / 255.0 - 0.4914) / 0.2470, 1e-5);
  EXPECT_NEAR(t.data[5], (30 / 255.0 - 0.4465) / 0.2616, 1e-5);
  EXPECT_THROW_WITH(to_tensor(im, Layout::NCHW, ChannelNorm{{0.5F}, {0.5F}}), DataError,
                    "3 channels");
}

TEST_F(Cifar10Test, ClassNamesFromMetaFileOrDocumentedDefault) {
  testing::write_cifar_batch(dir_ / "test_batch.bin", {0}, std::vector<std::uint8_t>(3072));
  const std::vector<std::string> official = {"airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck"};
  EXPECT_EQ(cifar10_class_names(dir_), official);  // no meta file
  const std::string meta = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj \n\n";
  write_file(dir_ / "batches.meta.txt", meta.data(), meta.size());
  EXPECT_EQ(cifar10_class_names(dir_),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}));
  const std::string nine = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
  write_file(dir_ / "batches.meta.txt", nine.data(), nine.size());
  EXPECT_THROW_WITH(cifar10_class_names(dir_), DataError, "batches.meta.txt", "9 classes");
}

}  // namespace
}  // namespace convbench
