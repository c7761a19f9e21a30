#pragma once
// When a check fails: test the usual causes of a broken conversion and name the one that
// explains it, with evidence. Each rule re-runs the converted model where it needs to:
//   - output activation: converted == softmax/sigmoid(original) or the reverse;
//   - dynamic axis: the error on the same samples at batch 1 vs the check's batch size;
//   - input layout / preprocessing (when labels flip): candidate fixes applied to the converted
//     model's inputs (axis permutations, x*255, x/255, standardisation, RGB<->BGR);
//   - recurrent ops (ONNX LSTM/GRU/RNN): gate order / GRU linear_before_reset; for GRU the
//     other linear_before_reset convention is tried (zoo onnx-tools flip-gru).
#include <filesystem>
#include <string>
#include <vector>

#include "check/compare.hpp"
#include "check/model_run.hpp"
#include "check/thresholds.hpp"

namespace convbench {

struct Finding {
  std::string rule;        // "output_activation", "dynamic_axis", "input_layout", ...
  std::string cause;       // one line: what is wrong
  std::string evidence;    // the measurement behind it
  bool confirmed = false;  // the fix was applied and restored agreement
};

struct DiagnoseInput {
  const Tensor& inputs;
  const Tensor& original_outputs;
  const Tensor& converted_outputs;
  LoadedModel& converted;
  const ModelRef& converted_ref;
  const Thresholds& thresholds;
  const ElementwiseResult& elementwise;
  double misclassification = 0;
  std::int64_t batch_size = 100;
  WorkerSettings workers;
  std::filesystem::path work_dir;
};

// The confirmed findings first; empty when no rule explains the failure.
std::vector<Finding> diagnose(const DiagnoseInput& in);

// The converted model declares a fixed input shape that differs from the inputs' (a layout
// problem): tries the axis permutations that give its shape and says which restores agreement.
std::vector<Finding> diagnose_input_shape(LoadedModel& converted, const Tensor& inputs,
                                          const Tensor& original_outputs, const Shape& declared,
                                          const Thresholds& thresholds, std::int64_t batch_size);

// ONNX op types of a model file, found by scanning its NodeProto op_type fields (no protobuf
// library): enough to tell whether it holds LSTM/GRU/RNN nodes.
bool onnx_has_op(const std::filesystem::path& onnx, std::string_view op_type);

}  // namespace convbench
