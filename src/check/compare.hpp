#pragma once
// The elementwise tolerance rule (Polygraphy's): an element fails only when both its absolute
// and its relative error exceed their tolerances. Also the smallest tolerances that would have
// passed, and the samples with the largest error.
#include <cstdint>
#include <vector>

#include "check/thresholds.hpp"
#include "core/tensor.hpp"

namespace convbench {

struct SampleError {
  std::int64_t index = 0;
  double max_abs = 0, max_rel = 0;
  std::int64_t failed_elements = 0;
  std::int64_t original_label = 0, converted_label = 0;  // argmax
};

struct ElementwiseResult {
  Tolerance tolerance;
  std::int64_t elements = 0, failed_elements = 0, failed_samples = 0;
  double max_abs = 0, max_rel = 0;  // over all elements
  // The smallest atol that passes at the given rtol, and the smallest rtol at the given atol.
  double min_passing_atol = 0, min_passing_rtol = 0;
  std::vector<SampleError> worst;  // largest max_abs first
  bool passed() const { return failed_elements == 0; }
};

// Relative error with the same denominator floor as metrics/fidelity (kRelErrorFloor).
double relative_error(double original, double converted);

// DataError when the shapes differ. `worst_k`: how many worst samples to keep.
ElementwiseResult compare_elementwise(const Tensor& original, const Tensor& converted,
                                      Tolerance tol, int worst_k = 5);

// Row-wise softmax / elementwise sigmoid (for the output-activation diagnosis).
Tensor softmax_rows(const Tensor& t);
Tensor sigmoid(const Tensor& t);

// Permutes the per-sample axes of a batch: output sample axis k is input sample axis perm[k].
Tensor permute_samples(const Tensor& t, const std::vector<std::size_t>& perm);

}  // namespace convbench
