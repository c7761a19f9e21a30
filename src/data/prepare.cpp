#include "data/prepare.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/file_io.hpp"
#include "core/npy.hpp"
#include "data/cifar10.hpp"
#include "data/imdb.hpp"
#include "data/model_inputs.hpp"

namespace convbench {
namespace fs = std::filesystem;
namespace {

// Keys in the documented order (docs/datasets.md), not sorted.
using Json = nlohmann::ordered_json;
constexpr int kMetaSchema = 1;

struct Writer {
  fs::path out;
  std::vector<fs::path> written;

  // `dtype`: what the models take (dataset_input_dtype): float32 pixels, int64 token ids.
  void split(std::string_view tag, const LabelledTensor& t, DType dtype = DType::f32) {
    const auto x = out / fmt::format("{}_x.npy", tag);
    const auto y = out / fmt::format("{}_y.npy", tag);
    if (dtype == DType::f32)
      write_npy(x, t.inputs);
    else
      write_npy(x, cast_exact(from_tensor(x.string(), t.inputs), dtype));
    write_npy(y, t.labels);
    written.push_back(x);
    written.push_back(y);
  }
  void meta(const Json& j) {
    const auto p = out / "meta.json";
    const std::string text = j.dump(2) + "\n";
    write_file(p, text.data(), text.size());
    written.push_back(p);
  }
};

void prepare_images(std::string_view dataset, const fs::path& dir, const PrepareOptions& opt,
                    Writer& w) {
  // Split by split, so that only one split's float tensor is in memory at a time.
  LabelledTensor train = image_inputs(dataset, dir, Split::train, Layout::NCHW, opt.train_limit);
  w.split("train", train);
  const std::int64_t train_rows = train.inputs.rows();
  const Shape train_shape = train.inputs.shape;
  train = {};
  const LabelledTensor test = image_inputs(dataset, dir, Split::test, Layout::NCHW, opt.test_limit);
  w.split("test", test);

  const bool cifar = dataset == "cifar10";
  Json j = {{"schema", kMetaSchema},
            {"dataset", dataset},
            {"kind", "image"},
            {"num_classes", 10},
            {"sample_shape", Shape(train_shape.begin() + 1, train_shape.end())},
            {"layout", "NCHW"},
            {"preprocessing", cifar ? "(x/255-mean)/std per channel" : "x/255"}};
  if (cifar) {
    j["mean"] = kCifar10Mean;
    j["std"] = kCifar10Std;
  }
  j["train_count"] = train_rows;
  j["test_count"] = test.inputs.rows();
  if (cifar) {
    j["class_names"] = cifar10_class_names(dir);
  } else {
    std::vector<std::string> digits;
    for (int d = 0; d < 10; ++d) digits.push_back(std::to_string(d));
    j["class_names"] = digits;
  }
  w.meta(j);
}

void prepare_imdb(const fs::path& dir, const PrepareOptions& opt, Writer& w) {
  if (opt.vocab_words == 0) fail<UsageError>("--vocab-size must be positive");
  const Split both[] = {Split::train, Split::test};
  ImdbSplits data = load_imdb(dir, both);
  // A limit keeps a prefix of the class-balanced order (imdb.hpp).
  for (auto [reviews, limit] :
       {std::pair{&data.train, opt.train_limit}, std::pair{&data.test, opt.test_limit}})
    if (limit > 0 && static_cast<std::size_t>(limit) < reviews->size())
      reviews->resize(static_cast<std::size_t>(limit));

  // The vocabulary sees the training samples only (the ones kept), never the test split.
  std::vector<std::string> texts;
  texts.reserve(data.train.size());
  for (const auto& r : data.train) texts.push_back(r.text);
  const Vocabulary vocab = Vocabulary::build(texts, opt.vocab_words);
  texts = {};
  const fs::path vocab_file = w.out / "vocab.txt";
  vocab.save(vocab_file);
  w.written.push_back(vocab_file);

  std::int64_t counts[2] = {0, 0};
  for (auto [tag, reviews] : {std::pair{"train", &data.train}, std::pair{"test", &data.test}}) {
    TextStats st;
    const LabelledTensor t = text_inputs(*reviews, vocab, opt.seq_len, &st);
    w.split(tag, t, dataset_input_dtype("imdb"));
    counts[tag == std::string_view("test")] = t.inputs.rows();
    const double n = static_cast<double>(std::max<std::size_t>(st.reviews, 1));
    spdlog::info(
        "imdb {}: {} reviews, {} tokens (mean {:.1f} per review), {:.2f}% not in the vocabulary, "
        "{:.1f}% longer than {} tokens (truncated)",
        tag, st.reviews, st.tokens, static_cast<double>(st.tokens) / n,
        100.0 * static_cast<double>(st.unknown) /
            static_cast<double>(std::max<std::size_t>(st.tokens, 1)),
        100.0 * static_cast<double>(st.truncated) / n, opt.seq_len);
  }
  w.meta({{"schema", kMetaSchema},
          {"dataset", "imdb"},
          {"kind", "text"},
          {"num_classes", 2},
          {"sample_shape", Json::array({opt.seq_len})},
          {"layout", "tokens"},
          {"preprocessing", "token ids"},
          {"vocab_file", "vocab.txt"},
          {"vocab_size", vocab.size()},
          {"seq_len", opt.seq_len},
          {"train_count", counts[0]},
          {"test_count", counts[1]},
          {"class_names", kImdbClassNames}});
}

}  // namespace

std::vector<fs::path> prepare_npy(std::string_view dataset, const fs::path& data_dir,
                                  const fs::path& out, const PrepareOptions& opt) {
  Writer w{out, {}};
  fs::create_directories(out);
  if (is_image_dataset(dataset))
    prepare_images(dataset, data_dir, opt, w);
  else if (dataset == "imdb")
    prepare_imdb(data_dir, opt, w);
  else
    fail<UsageError>("dataset '{}' cannot be prepared (known: mnist, cifar10, imdb)", dataset);
  return w.written;
}

}  // namespace convbench
