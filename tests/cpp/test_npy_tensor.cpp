#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "test_util.hpp"

namespace convbench {
namespace {

class NpyTest : public testing::TempDirTest {};

TEST_F(NpyTest, FloatRoundTripAndHeaderAlignment) {
  Tensor t({2, 3}, {1, 2, 3, 4, 5, 6.5F});
  write_npy(dir_ / "a.npy", t);
  const Bytes b = read_file(dir_ / "a.npy");
  const std::size_t hlen = b[8] | (b[9] << 8);
  EXPECT_EQ((10 + hlen) % 64, 0U);
  EXPECT_EQ(b[10 + hlen - 1], '\n');
  const Tensor r = read_npy_f32(dir_ / "a.npy");
  EXPECT_EQ(r.shape, t.shape);
  EXPECT_EQ(r.data, t.data);
}

TEST_F(NpyTest, Int64VectorHeader) {
  const std::vector<std::int64_t> v = {3, 1, 4};
  write_npy(dir_ / "y.npy", v);
  const Bytes b = read_file(dir_ / "y.npy");
  const std::string text(b.begin(), b.end());
  EXPECT_NE(text.find("'descr': '<i8'"), std::string::npos);
  EXPECT_NE(text.find("'shape': (3,)"), std::string::npos);
  EXPECT_EQ(b.size() % 8, 0U);
  EXPECT_EQ(b.size(), 128U + 24U);
}

TEST_F(NpyTest, TruncatedDataRejected) {
  write_npy(dir_ / "a.npy", Tensor({4}, {1, 2, 3, 4}));
  Bytes b = read_file(dir_ / "a.npy");
  write_file(dir_ / "a.npy", b.data(), b.size() - 4);
  EXPECT_THROW_WITH(read_npy_f32(dir_ / "a.npy"), DataError, "a.npy", "16 bytes of data", "holds 12");
}

TEST(TensorTest, SliceAndConcat) {
  Tensor t({3, 2}, {1, 2, 3, 4, 5, 6});
  const Tensor a = t.slice_rows(0, 1), b = t.slice_rows(1, 3);
  EXPECT_EQ(b.shape, (Shape{2, 2}));
  EXPECT_EQ(b.data, (std::vector<float>{3, 4, 5, 6}));
  const Tensor parts[] = {a, b};
  EXPECT_EQ(concat_rows(parts).data, t.data);
  EXPECT_THROW(t.slice_rows(2, 4), Error);
  EXPECT_THROW(Tensor({2, 2}, {1, 2, 3}), Error);
}

}  // namespace
}  // namespace convbench
