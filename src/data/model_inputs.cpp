#include "data/model_inputs.hpp"

#include <algorithm>
#include <optional>

#include "core/error.hpp"
#include "data/catalogue.hpp"

namespace convbench {

bool is_image_dataset(std::string_view dataset) {
  return dataset_spec(dataset).modality == Modality::image;
}

DType dataset_input_dtype(std::string_view dataset) { return dataset_spec(dataset).input_dtype; }

namespace {
const DatasetSpec& image_spec(std::string_view dataset) {
  const DatasetSpec& d = dataset_spec(dataset);
  if (d.load_images == nullptr) fail<UsageError>("'{}' is not an image dataset", dataset);
  return d;
}
}  // namespace

LabelledTensor image_inputs(std::string_view dataset, const std::filesystem::path& dir, Split split,
                            Layout layout, std::int64_t limit) {
  const DatasetSpec& d = image_spec(dataset);
  LabelledImages im = d.load_images(dir, split);
  const std::vector<std::int64_t> got{im.channels, im.height, im.width};
  if (!d.image_shape.empty() && got != d.image_shape)
    fail<DataError>(
        "{}: the {} split's images are {}x{}x{} (channels x height x width, from its "
        "file headers); {} images are {}x{}x{}",
        dir.string(), split == Split::train ? "training" : "test", got[0], got[1], got[2], dataset,
        d.image_shape[0], d.image_shape[1], d.image_shape[2]);
  im.keep_first(limit);
  return {to_tensor(im, layout, d.norm), std::move(im.labels)};
}

InputDomain image_input_domain(std::string_view dataset, Layout layout,
                               std::span<const std::int64_t> shape) {
  if (shape.size() != 3) fail<UsageError>("an image input has 3 dimensions, not {}", shape.size());
  LabelledImages im;
  im.count = 2;
  im.channels = layout == Layout::NCHW ? shape[0] : shape[2];
  im.height = layout == Layout::NCHW ? shape[1] : shape[0];
  im.width = layout == Layout::NCHW ? shape[2] : shape[1];
  const auto per_image = static_cast<std::size_t>(im.channels * im.height * im.width);
  im.pixels.assign(per_image, 0);
  im.pixels.resize(2 * per_image, 255);
  im.labels = {0, 0};
  const Tensor t = to_tensor(im, layout, image_spec(dataset).norm);
  return {std::vector<float>(t.row(0).begin(), t.row(0).end()),
          std::vector<float>(t.row(1).begin(), t.row(1).end())};
}

LabelledTensor text_inputs(std::span<const Review> reviews, const Vocabulary& vocab,
                           std::size_t seq_len, TextStats* stats) {
  if (seq_len == 0) fail<UsageError>("a text sequence length must be positive");
  const auto n = static_cast<std::int64_t>(reviews.size());
  LabelledTensor out{Tensor({n, static_cast<std::int64_t>(seq_len)}), {}};
  out.labels.reserve(reviews.size());
  TextStats st;
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    Vocabulary::EncodeStats es;
    const auto ids = vocab.encode(reviews[i].text, seq_len, &es);
    std::copy(ids.begin(), ids.end(),
              out.inputs.data.begin() + static_cast<std::ptrdiff_t>(i * seq_len));
    out.labels.push_back(reviews[i].label);
    ++st.reviews;
    st.tokens += es.tokens;
    st.unknown += es.unknown;
    st.truncated += es.tokens > seq_len;
  }
  if (stats) *stats = st;
  return out;
}

}  // namespace convbench
