#include "data/mnist.hpp"

#include "core/error.hpp"
#include "data/idx.hpp"

namespace convbench {
namespace fs = std::filesystem;

fs::path find_data_file(const fs::path& dir, std::string_view stem) {
  for (const auto& candidate : {dir / stem, dir / (std::string(stem) + ".gz")})
    if (fs::exists(candidate)) return candidate;
  fail<DataError>("{}: no {} or {}.gz (run `convbench data fetch`)", dir.string(), stem, stem);
}

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

Layout parse_layout(std::string_view s) {
  if (s == "NCHW") return Layout::NCHW;
  if (s == "NHWC") return Layout::NHWC;
  fail<DataError>("unknown input layout '{}' (expected NCHW or NHWC)", s);
}

Tensor to_tensor(const LabelledImages& im, Layout layout) {
  const auto n = im.count, c = im.channels, h = im.height, w = im.width;
  Shape shape = layout == Layout::NCHW ? Shape{n, c, h, w} : Shape{n, h, w, c};
  Tensor t(std::move(shape));
  const std::size_t plane = static_cast<std::size_t>(h * w);
  const std::size_t per_image = plane * static_cast<std::size_t>(c);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t* src = im.pixels.data() + static_cast<std::size_t>(i) * per_image;
    float* dst = t.data.data() + static_cast<std::size_t>(i) * per_image;
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::size_t p = 0; p < plane; ++p) {
        const std::size_t out = layout == Layout::NCHW ? static_cast<std::size_t>(ch) * plane + p
                                                       : p * static_cast<std::size_t>(c) + ch;
        dst[out] = static_cast<float>(src[static_cast<std::size_t>(ch) * plane + p]) / 255.0F;
      }
  }
  return t;
}

}  // namespace convbench
