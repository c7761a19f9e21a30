#include "data/labelled_images.hpp"

#include "core/error.hpp"

namespace convbench {

void LabelledImages::keep_first(std::int64_t n) {
  if (n <= 0 || n >= count) return;
  count = n;
  pixels.resize(static_cast<std::size_t>(n * channels * height * width));
  labels.resize(static_cast<std::size_t>(n));
}

Layout parse_layout(std::string_view s) {
  if (s == "NCHW") return Layout::NCHW;
  if (s == "NHWC") return Layout::NHWC;
  fail<DataError>("unknown input layout '{}' (expected NCHW or NHWC)", s);
}

Tensor to_tensor(const LabelledImages& im, Layout layout, const std::optional<ChannelNorm>& norm) {
  const auto n = im.count, c = im.channels, h = im.height, w = im.width;
  const auto nc = static_cast<std::size_t>(c);
  if (norm && (norm->mean.size() != nc || norm->std.size() != nc))
    fail<DataError>("normalisation has {} means and {} stds for {} channels", norm->mean.size(),
                    norm->std.size(), c);
  // x/255 then (x - mean) / std, per channel: a lookup table per channel keeps it one pass.
  std::vector<float> lut(nc * 256);
  for (std::size_t ch = 0; ch < nc; ++ch)
    for (int v = 0; v < 256; ++v) {
      float x = static_cast<float>(v) / 255.0F;
      if (norm) x = (x - norm->mean[ch]) / norm->std[ch];
      lut[ch * 256 + static_cast<std::size_t>(v)] = x;
    }
  Shape shape = layout == Layout::NCHW ? Shape{n, c, h, w} : Shape{n, h, w, c};
  Tensor t(std::move(shape));
  const std::size_t plane = static_cast<std::size_t>(h * w);
  const std::size_t per_image = plane * nc;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t* src = im.pixels.data() + static_cast<std::size_t>(i) * per_image;
    float* dst = t.data.data() + static_cast<std::size_t>(i) * per_image;
    for (std::size_t ch = 0; ch < nc; ++ch) {
      const float* table = &lut[ch * 256];
      for (std::size_t p = 0; p < plane; ++p) {
        const std::size_t out = layout == Layout::NCHW ? ch * plane + p : p * nc + ch;
        dst[out] = table[src[ch * plane + p]];
      }
    }
  }
  return t;
}

}  // namespace convbench
