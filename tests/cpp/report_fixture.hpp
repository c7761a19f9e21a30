#pragma once
// A small results store that fills every table of the report (I-VII, III+, Figs. 2-4 data,
// RQ3+), and a paper reference file in the shared/reference format, for the report's tests.
#include <filesystem>

namespace convbench::testing {

// 3 replicates of LeNet-5 (Keras) and LSTM (PyTorch): originals, ONNX in ONNX Runtime and
// OpenCV, Core ML not runnable; per-epoch history; FGSM + Boundary on LeNet-5, GA on LSTM; the
// study config in meta (a reduced setting: not the paper's).
void write_report_store(const std::filesystem::path& store_file);

// paper_tables.csv rows for those models (Tables I-VII), the values made up for the test.
void write_report_paper_csv(const std::filesystem::path& csv);

}  // namespace convbench::testing
