#include "data/mnist.hpp"

#include "core/error.hpp"
#include "data/idx.hpp"

namespace convbench {
namespace fs = std::filesystem;

LabelledImages load_mnist(const fs::path& dir, Split split) {
  const std::string_view prefix = split == Split::train ? "train" : "t10k";
  const auto img_path = find_data_file(dir, fmt::format("{}-images-idx3-ubyte", prefix));
  const auto lbl_path = find_data_file(dir, fmt::format("{}-labels-idx1-ubyte", prefix));
  IdxArray img = read_idx(img_path);
  IdxArray lbl = read_idx(lbl_path);
  if (img.dims.size() != 3)
    fail<DataError>("{}: expected 3 dimensions (count, rows, cols), found {}", img_path.string(),
                    img.dims.size());
  if (lbl.dims.size() != 1)
    fail<DataError>("{}: expected 1 dimension (count), found {}", lbl_path.string(),
                    lbl.dims.size());
  if (img.dims[0] != lbl.dims[0])
    fail<DataError>("{} has {} images but {} has {} labels", img_path.string(), img.dims[0],
                    lbl_path.string(), lbl.dims[0]);
  // LabelledImages keeps int64 sizes and its users multiply them (to_tensor: rows x cols per
  // plane). read_idx bounds count x rows x cols by the file's size, but not rows x cols when the
  // count is 0: [0, 2^32-1, 2^32-1] is a valid empty IDX file whose plane overflows int64.
  std::int64_t plane = 0, total = 0;
  if (__builtin_mul_overflow(std::int64_t{img.dims[1]}, std::int64_t{img.dims[2]}, &plane) ||
      __builtin_mul_overflow(std::int64_t{img.dims[0]}, plane, &total))
    fail<DataError>("{}: images of {} x {} pixels are larger than convbench can represent",
                    img_path.string(), img.dims[1], img.dims[2]);
  LabelledImages out;
  out.count = img.dims[0];
  out.channels = 1;
  out.height = img.dims[1];
  out.width = img.dims[2];
  out.pixels = std::move(img.data);
  out.labels.reserve(lbl.data.size());
  for (std::size_t i = 0; i < lbl.data.size(); ++i) {
    if (lbl.data[i] > 9)
      fail<DataError>("{}: label {} at index {} is outside 0..9", lbl_path.string(), lbl.data[i],
                      i);
    out.labels.push_back(lbl.data[i]);
  }
  return out;
}

}  // namespace convbench
