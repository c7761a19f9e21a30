#pragma once
// The published figures (shared/reference/paper_tables.csv) keyed like our cells, and whether a
// study's setting is the paper's, so that the report can say how far the comparison goes.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "report/tables.hpp"

namespace convbench {

struct PaperValue {
  double mean = 0;
  std::optional<double> std;
};

// (table, model id, framework id, attack id, quantity, variant)
using CellKeyTuple =
    std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
CellKeyTuple key_of(const TableCell& c);

class PaperReference {
 public:
  PaperReference() = default;
  // Throws DataError naming the file and line on a malformed row.
  explicit PaperReference(const std::filesystem::path& csv);

  bool loaded() const { return !source_.empty(); }
  const std::filesystem::path& source() const { return source_; }
  // Our "onnx_opencv" variant has no paper column: it is compared with the paper's "onnx".
  std::optional<PaperValue> find(const TableCell& c) const;
  // Every paper value of one table and quantity, with its key (for the findings).
  std::vector<std::pair<CellKeyTuple, PaperValue>> values(const std::string& table,
                                                          const std::string& quantity) const;

 private:
  std::filesystem::path source_;
  std::map<CellKeyTuple, PaperValue> values_;
};

// Does the study that filled the store run in the paper's setting? From the config stored in
// the store's meta table by `convbench study` (its TOML text) and, for epochs, the defaults of
// config/models.toml when given.
struct Comparability {
  bool known = false;    // the store holds a config we could read
  bool applies = false;  // the paper's setting: >= 10 replicates, full data, default epochs
  std::string study;     // the study's name ("quick")
  std::vector<std::string> differences;  // "replicates = 2 (paper: 10)", ...
};
Comparability assess_comparability(const std::optional<std::string>& study_name,
                                   const std::optional<std::string>& config_toml,
                                   const std::optional<std::filesystem::path>& models_toml);

}  // namespace convbench
