#include "report/paper_reference.hpp"

#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "report/exports.hpp"

namespace convbench {
namespace {

constexpr int kPaperReplicates = 10;  // "times are averages of 10 runs"; 10 trained instances

std::optional<double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

CellKeyTuple key_of(const TableCell& c) {
  return {c.table, c.model, c.framework, c.attack, c.quantity, c.variant};
}

PaperReference::PaperReference(const std::filesystem::path& csv) : source_(csv) {
  std::ifstream in(csv);
  if (!in) fail<DataError>("{}: cannot read the paper's tables", csv.string());
  std::stringstream ss;
  ss << in.rdbuf();
  const auto rows = parse_csv(ss.str());
  if (rows.empty() || rows[0].size() < 8 || rows[0][0] != "table" || rows[0][6] != "mean")
    fail<DataError>(
        "{}: expected the header table,model,framework,attack,quantity,variant,mean,std",
        csv.string());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.size() == 1 && r[0].empty()) continue;
    if (r.size() < 8) fail<DataError>("{}:{}: {} fields, not 8", csv.string(), i + 1, r.size());
    const auto mean = number(r[6]);
    if (!mean) fail<DataError>("{}:{}: mean '{}' is not a number", csv.string(), i + 1, r[6]);
    values_[{r[0], model_id(r[1]), framework_id(r[2]), r[3].empty() ? "" : attack_id(r[3]), r[4],
             r[5]}] = {*mean, number(r[7])};
  }
}

std::optional<PaperValue> PaperReference::find(const TableCell& c) const {
  auto key = key_of(c);
  if (std::get<5>(key) == "onnx_opencv") std::get<5>(key) = "onnx";
  const auto it = values_.find(key);
  return it == values_.end() ? std::nullopt : std::optional(it->second);
}

std::vector<std::pair<CellKeyTuple, PaperValue>> PaperReference::values(
    const std::string& table, const std::string& quantity) const {
  std::vector<std::pair<CellKeyTuple, PaperValue>> out;
  for (const auto& [k, v] : values_)
    if (std::get<0>(k) == table && std::get<4>(k) == quantity) out.emplace_back(k, v);
  return out;
}

Comparability assess_comparability(const std::optional<std::string>& study_name,
                                   const std::optional<std::string>& config_toml,
                                   const std::optional<std::filesystem::path>& models_toml) {
  Comparability c;
  c.study = study_name.value_or("");
  if (!config_toml) {
    c.differences.push_back("the store records no study config (not written by `convbench study`)");
    return c;
  }
  toml::table cfg, defaults;
  try {
    cfg = toml::parse(*config_toml);
    if (models_toml && std::filesystem::exists(*models_toml))
      defaults = toml::parse_file(models_toml->string());
  } catch (const toml::parse_error& e) {
    c.differences.push_back(std::string("the stored study config does not parse: ") +
                            std::string(e.description()));
    return c;
  }
  c.known = true;
  const auto reps = cfg["replicates"].value_or<std::int64_t>(1);
  if (reps < kPaperReplicates)
    c.differences.push_back(fmt::format("replicates = {} (paper: {})", reps, kPaperReplicates));
  // One line per model, in the tables' order.
  if (const auto* models = cfg["models"].as_table())
    for (const auto& desc : study_models()) {
      const std::string model(desc.name);
      const auto* m = (*models)[model].as_table();
      if (m == nullptr) continue;
      std::vector<std::string> what;
      if (const auto e = (*m)["epochs"].value<std::int64_t>()) {
        const auto def = defaults[model]["epochs"].value<std::int64_t>();
        if (!def || *def != *e)
          what.push_back(fmt::format("{} epochs instead of {}", *e,
                                     def ? std::to_string(*def) : "config/models.toml's"));
      }
      for (const char* key : {"train_subset", "val_subset", "test_limit"})
        if (const auto v = (*m)[key].value<std::int64_t>(); v && *v > 0)
          what.push_back(fmt::format("{} = {}", key, *v));
      if (!what.empty())
        c.differences.push_back(fmt::format("{}: {}", display_model(model), fmt::join(what, ", ")));
    }
  c.applies = c.differences.empty();
  return c;
}

}  // namespace convbench
