#pragma once
// `convbench report`: the study as report.html (one self-contained file), report.md (+ figures/
// beside it), and tables.csv / tables.json / history.csv exports of every table, from the
// results store alone (docs/report.md).
#include <filesystem>
#include <optional>
#include <vector>

#include "study/results_store.hpp"

namespace convbench {

struct ReportOptions {
  std::filesystem::path store;  // results.sqlite
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path> paper_csv;                    // nullopt: no paper column
  std::string paper_missing = "no paper reference given (--paper)";  // said when paper_csv unset
  std::filesystem::path repo_root;  // for the zoo's Python (figures) and config/models.toml
  bool figures = true;              // false: figures reported missing ("--no-figures")
};

// Returns the files written. Throws DataError/UsageError on an unreadable store or paper file.
std::vector<std::filesystem::path> write_report(const ReportOptions& options);

// The default paper reference: <repo>/../shared/reference/paper_tables.csv when it exists.
std::optional<std::filesystem::path> default_paper_csv(const std::filesystem::path& repo_root);

}  // namespace convbench
