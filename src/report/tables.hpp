#pragma once
// The paper's Tables I-IV from the results store: model x framework rows, one column per
// artefact variant (original, ONNX in ONNX Runtime, ONNX in OpenCV, Core ML), each cell the mean
// (sample std) over replicates. Also the per-epoch curves behind Fig. 2.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "study/results_store.hpp"

namespace convbench {

// One aggregated cell, in the long form of shared/reference/paper_tables.csv.
struct TableCell {
  std::string table, model, framework, quantity, variant;
  std::optional<double> mean, std;
  int n = 0;           // replicates with a value
  int replicates = 0;  // replicates stored for the row
  std::string note;    // why there is no value ("not runnable on Linux", "conversion failed", ...)
  std::string error;   // the first stored error of a failed replicate, verbatim
};

std::vector<TableCell> aggregate_tables(const std::vector<StoredResult>& results);

std::string tables_markdown(const std::vector<TableCell>& cells);
std::string tables_csv(const std::vector<TableCell>& cells);
std::string history_csv(const std::vector<HistoryRow>& rows);

// Writes tables.md, tables.csv and fig2_history.csv into dir; returns the files written.
std::vector<std::filesystem::path> write_tables(ResultsStore& store,
                                                const std::filesystem::path& dir);

std::string display_model(const std::string& model);
std::string display_framework(const std::string& framework);

}  // namespace convbench
