#include <fstream>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "data/idx.hpp"
#include "data/mnist.hpp"
#include "fixtures.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

using testing::TempDirTest;
using testing::write_idx;

class IdxTest : public TempDirTest {};

TEST_F(IdxTest, ReadsRawAndGzipped) {
  const std::vector<std::uint8_t> px = {1, 2, 3, 4, 5, 6};
  for (bool gz : {false, true}) {
    const auto p = dir_ / (gz ? "a.gz" : "a");
    write_idx(p, {1, 2, 3}, px, gz);
    const IdxArray a = read_idx(p);
    EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{1, 2, 3}));
    EXPECT_EQ(a.data, px);
  }
}

TEST_F(IdxTest, TruncatedDataNamesFileAndProblem) {
  const auto p = dir_ / "short";
  write_idx(p, {2, 2, 2}, {1, 2, 3}, false);  // 8 promised, 3 present
  EXPECT_THROW_WITH(read_idx(p), DataError, "short", "promises 8", "truncated");
}

TEST_F(IdxTest, TrailingBytesRejected) {
  const auto p = dir_ / "long";
  write_idx(p, {2}, {1, 2, 3}, false);
  EXPECT_THROW_WITH(read_idx(p), DataError, "trailing bytes");
}

TEST_F(IdxTest, BadMagicAndTypeRejected) {
  const auto p = dir_ / "bad";
  const std::uint8_t magic[] = {0x50, 0x4b, 0x03, 0x04};
  write_file(p, magic, sizeof magic);
  EXPECT_THROW_WITH(read_idx(p), DataError, "not an IDX file");
  const std::uint8_t floats[] = {0, 0, 0x0d, 1, 0, 0, 0, 0};
  write_file(p, floats, sizeof floats);
  EXPECT_THROW_WITH(read_idx(p), DataError, "0x0d", "unsigned byte");
}

TEST_F(IdxTest, TruncatedHeaderRejected) {
  const auto p = dir_ / "hdr";
  const std::uint8_t h[] = {0, 0, 0x08, 3, 0, 0};
  write_file(p, h, sizeof h);
  EXPECT_THROW_WITH(read_idx(p), DataError, "truncated IDX header");
}

TEST_F(IdxTest, DimensionProductOverflowRejected) {
  // [4, 2^31, 2^31] multiplies to 2^64, which wraps to 0 = the (empty) data: must not pass.
  const std::uint8_t h[] = {0, 0, 0x08, 3, 0, 0, 0, 4, 0x80, 0, 0, 0, 0x80, 0, 0, 0};
  const auto p = dir_ / "wrap";
  write_file(p, h, sizeof h);
  EXPECT_THROW_WITH(read_idx(p), DataError, "wrap", "[4, 2147483648, 2147483648]",
                    "more bytes than");
  EXPECT_THROW_WITH(parse_idx(h, "mem"), DataError, "mem", "more bytes than");
}

TEST(ParseIdx, DecodesBytesInMemory) {
  const std::uint8_t b[] = {0, 0, 0x08, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9};
  const IdxArray a = parse_idx(b, "mem");
  EXPECT_EQ(a.dims, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(a.data, (std::vector<std::uint8_t>{7, 9}));
  EXPECT_THROW_WITH(parse_idx(std::span(b, 13), "mem"), DataError, "mem", "truncated");
}

TEST_F(IdxTest, TruncatedGzipStreamRejected) {
  const auto gz = dir_ / "x.gz";
  std::vector<std::uint8_t> px(5000, 7);
  write_idx(gz, {5000}, px, true);
  Bytes raw;
  {
    std::ifstream in(gz, std::ios::binary);
    raw.assign(std::istreambuf_iterator<char>(in), {});
  }
  write_file(gz, raw.data(), raw.size() / 2);
  EXPECT_THROW_WITH(read_idx(gz), DataError, "x.gz", "truncated");
}

TEST_F(IdxTest, MnistLoaderChecksCountsAndLabels) {
  testing::write_synthetic_mnist(dir_, 20, 10);
  const auto test = load_mnist(dir_, Split::test);
  EXPECT_EQ(test.count, 10);
  EXPECT_EQ(test.height, 28);
  EXPECT_EQ(test.labels.size(), 10U);
  // Labels disagree with images in count.
  write_idx(dir_ / "t10k-labels-idx1-ubyte.gz", {9}, std::vector<std::uint8_t>(9, 1), true);
  EXPECT_THROW_WITH(load_mnist(dir_, Split::test), DataError, "10 images", "9 labels");
  // A label out of range.
  write_idx(dir_ / "t10k-labels-idx1-ubyte.gz", {10}, std::vector<std::uint8_t>(10, 12), true);
  EXPECT_THROW_WITH(load_mnist(dir_, Split::test), DataError, "label 12");
}

TEST_F(IdxTest, MnistLoaderRefusesImagesWithoutRowsAndCols) {
  testing::write_synthetic_mnist(dir_, 20, 10);
  // Valid IDX files, but not images: 1 or 2 dimensions must not be read as (count, rows, cols).
  write_idx(dir_ / "t10k-images-idx3-ubyte.gz", {10}, std::vector<std::uint8_t>(10, 1), true);
  EXPECT_THROW_WITH(load_mnist(dir_, Split::test), DataError, "t10k-images-idx3-ubyte",
                    "expected 3 dimensions", "found 1");
  write_idx(dir_ / "t10k-images-idx3-ubyte.gz", {10, 4}, std::vector<std::uint8_t>(40, 1), true);
  EXPECT_THROW_WITH(load_mnist(dir_, Split::test), DataError, "found 2");
  // Labels with two dimensions.
  testing::write_synthetic_mnist(dir_, 20, 10);
  write_idx(dir_ / "t10k-labels-idx1-ubyte.gz", {10, 1}, std::vector<std::uint8_t>(10, 1), true);
  EXPECT_THROW_WITH(load_mnist(dir_, Split::test), DataError, "t10k-labels-idx1-ubyte",
                    "expected 1 dimension");
}

// Found by fuzz/fuzz_mnist: no images of 2^32-1 x 2^32-1 pixels is a valid (empty) IDX file,
// and to_tensor's rows x cols overflowed int64 (UBSan: signed integer overflow).
TEST_F(IdxTest, MnistLoaderRefusesImagesTooLargeToRepresent) {
  testing::write_synthetic_mnist(dir_, 20, 10);
  write_idx(dir_ / "t10k-images-idx3-ubyte.gz", {0, 0xffffffffU, 0xffffffffU}, {}, true);
  write_idx(dir_ / "t10k-labels-idx1-ubyte.gz", {0}, {}, true);
  EXPECT_THROW_WITH(load_mnist(dir_, Split::test), DataError, "t10k-images-idx3-ubyte",
                    "4294967295 x 4294967295", "larger than");
  // Empty but representable: no images, and an empty tensor.
  write_idx(dir_ / "t10k-images-idx3-ubyte.gz", {0, 28, 28}, {}, true);
  const auto none = load_mnist(dir_, Split::test);
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(to_tensor(none, Layout::NCHW).shape, (Shape{0, 1, 28, 28}));
}

// Found by review while fuzzing: read_file took a directory's stream "size" (2^63-1 on ext4) as
// the allocation and threw std::length_error; e.g. a folder named t10k-images-idx3-ubyte.
TEST_F(IdxTest, DirectoryInPlaceOfAFileIsADataError) {
  std::filesystem::create_directories(dir_ / "t10k-images-idx3-ubyte");
  EXPECT_THROW_WITH(read_idx(dir_ / "t10k-images-idx3-ubyte"), DataError, "t10k-images-idx3-ubyte",
                    "not a regular file");
  EXPECT_THROW_WITH(read_file(dir_), DataError, "not a regular file");
}

TEST_F(IdxTest, MissingFileNamesDirectory) {
  EXPECT_THROW_WITH(load_mnist(dir_, Split::train), DataError, "train-images-idx3-ubyte");
}

TEST(MnistTensor, LayoutsAndScaling) {
  LabelledImages im;
  im.count = 1;
  im.channels = 2;
  im.height = 1;
  im.width = 2;
  im.pixels = {0, 255, 51, 102};  // plane 0: 0,255; plane 1: 51,102
  const Tensor nchw = to_tensor(im, Layout::NCHW);
  EXPECT_EQ(nchw.shape, (Shape{1, 2, 1, 2}));
  EXPECT_EQ(nchw.data, (std::vector<float>{0.0F, 1.0F, 0.2F, 0.4F}));
  const Tensor nhwc = to_tensor(im, Layout::NHWC);
  EXPECT_EQ(nhwc.shape, (Shape{1, 1, 2, 2}));
  EXPECT_EQ(nhwc.data, (std::vector<float>{0.0F, 0.2F, 1.0F, 0.4F}));
  EXPECT_THROW(parse_layout("CHWN"), DataError);
}

}  // namespace
}  // namespace convbench
