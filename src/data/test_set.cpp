#include "data/test_set.hpp"

#include "core/error.hpp"
#include "data/catalogue.hpp"

namespace convbench {

LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             const TestSetOptions& opt) {
  const DatasetSpec& d = dataset_spec(dataset);  // UsageError naming the known ones
  if (d.modality == Modality::image)
    return image_inputs(dataset, dir, Split::test, parse_layout(opt.layout), opt.limit);
  if (opt.layout != "tokens")
    fail<DataError>("{}: input layout '{}' does not fit text data (expected 'tokens')", dataset,
                    opt.layout);
  if (opt.vocab_file.empty())
    fail<DataError>("{}: a text model needs its vocabulary file (manifest input.vocab_file)",
                    dataset);
  if (opt.seq_len <= 0)
    fail<DataError>(
        "{}: a text model needs a positive sequence length (manifest "
        "input.seq_len), got {}",
        dataset, opt.seq_len);
  const Vocabulary vocab = Vocabulary::load(opt.vocab_file);
  auto reviews = d.load_texts(dir, Split::test);
  if (opt.limit > 0 && static_cast<std::size_t>(opt.limit) < reviews.size())
    reviews.resize(static_cast<std::size_t>(opt.limit));  // balanced: see imdb.hpp
  return text_inputs(reviews, vocab, static_cast<std::size_t>(opt.seq_len));
}

LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             std::string_view layout, std::int64_t limit) {
  return load_test_set(dataset, dir, TestSetOptions{std::string(layout), limit, {}, 0});
}

}  // namespace convbench
