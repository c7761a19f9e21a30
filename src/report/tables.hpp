#pragma once
// The paper's Tables I-VII from the results store: model x framework rows, one column per
// artefact variant (original, ONNX in ONNX Runtime, ONNX in OpenCV, Core ML) and, for RQ3, per
// attack; each cell the mean (sample std) over replicates. Also the data behind Figs. 2-4.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "study/models.hpp"
#include "study/results_store.hpp"

namespace convbench {

// One aggregated cell, in the long form of shared/reference/paper_tables.csv.
struct TableCell {
  std::string table, model, framework, quantity, variant;
  std::string attack;  // RQ3 tables: "fgsm" | "boundary" | "genetic"; empty otherwise
  std::optional<double> mean, std;
  int n = 0;           // replicates with a value
  int replicates = 0;  // replicates stored for the row
  std::string note;    // why there is no value ("not runnable on Linux", "conversion failed", ...)
  std::string error;   // the first stored error of a failed replicate, verbatim
};

// Tables I, II, III, IV and III+ (not in the paper: batch latency p50, worker peak RSS).
std::vector<TableCell> aggregate_tables(const std::vector<StoredResult>& results);
// Tables V (CNNs), VI (RNNs), VII (R), the success rates behind Figs. 3 (CNNs) and 4 (RNNs) as
// tables "Fig3"/"Fig4", and RQ3+ (not in the paper: attack cost and perturbation size).
std::vector<TableCell> aggregate_attack_tables(const std::vector<StoredAttack>& attacks);

std::string tables_markdown(const std::vector<TableCell>& cells);
std::string tables_csv(const std::vector<TableCell>& cells);
std::string history_csv(const std::vector<HistoryRow>& rows);

// Writes tables.md, tables.csv and fig2_history.csv into dir; returns the files written.
std::vector<std::filesystem::path> write_tables(ResultsStore& store,
                                                const std::filesystem::path& dir);

std::string display_framework(const std::string& framework);
std::string display_attack(const std::string& attack);  // "FGSM", "Boundary", "GA"
// The inverses (display name -> id), for reading the CSVs back; unknown names pass through.
// (display_model / model_id: study/models.hpp)
std::string framework_id(const std::string& display);
std::string attack_id(const std::string& display);
// The value of a Table I-IV/III+ quantity ("accuracy_pct", "size_mb", ...) in one result row, in
// the table's unit; nullopt when the row has none. Throws Error for an unknown quantity.
std::optional<double> result_quantity(const StoredResult& r, const std::string& quantity);
// Whether a result row is the artefact of a table variant ("original", "onnx" = ONNX Runtime,
// "onnx_opencv", "coreml").
bool result_is_variant(const StoredResult& r, const std::string& variant);
// Column heading parts and the number format of a quantity ("accuracy %", "{:.2f}").
std::string quantity_label(const std::string& quantity);
std::string variant_label(const std::string& quantity, const std::string& variant);
std::string format_quantity(const std::string& quantity, double value);
// Title of a table id ("I" ... "VII", "III+", "Fig3", "Fig4", "RQ3+").
std::string table_title(const std::string& table);

}  // namespace convbench
