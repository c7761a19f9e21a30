#include "data/test_set.hpp"

#include "core/error.hpp"

namespace convbench {

LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             const TestSetOptions& opt) {
  if (is_image_dataset(dataset))
    return image_inputs(dataset, dir, Split::test, parse_layout(opt.layout), opt.limit);
  if (dataset != "imdb")
    fail<UsageError>("dataset '{}' is not supported (known: mnist, cifar10, imdb)", dataset);
  if (opt.layout != "tokens")
    fail<DataError>("imdb: input layout '{}' does not fit text data (expected 'tokens')",
                    opt.layout);
  if (opt.vocab_file.empty())
    fail<DataError>("imdb: a text model needs its vocabulary file (manifest input.vocab_file)");
  if (opt.seq_len <= 0)
    fail<DataError>(
        "imdb: a text model needs a positive sequence length (manifest "
        "input.seq_len), got {}",
        opt.seq_len);
  const Vocabulary vocab = Vocabulary::load(opt.vocab_file);
  auto reviews = load_imdb(dir, Split::test);
  if (opt.limit > 0 && static_cast<std::size_t>(opt.limit) < reviews.size())
    reviews.resize(static_cast<std::size_t>(opt.limit));  // balanced: see imdb.hpp
  return text_inputs(reviews, vocab, static_cast<std::size_t>(opt.seq_len));
}

LabelledTensor load_test_set(std::string_view dataset, const std::filesystem::path& dir,
                             std::string_view layout, std::int64_t limit) {
  return load_test_set(dataset, dir, TestSetOptions{std::string(layout), limit, {}, 0});
}

}  // namespace convbench
