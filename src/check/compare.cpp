#include "check/compare.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "metrics/fidelity.hpp"

namespace convbench {

double relative_error(double o, double c) {
  return std::fabs(c - o) / std::max(std::fabs(o), kRelErrorFloor);
}

ElementwiseResult compare_elementwise(const Tensor& o, const Tensor& c, Tolerance tol,
                                      int worst_k) {
  if (o.shape != c.shape)
    fail<DataError>("output shapes differ: original {} vs converted {}", shape_str(o.shape),
                    shape_str(c.shape));
  ElementwiseResult r;
  r.tolerance = tol;
  r.elements = static_cast<std::int64_t>(o.size());
  const auto po = argmax_rows(o), pc = argmax_rows(c);
  std::vector<SampleError> samples;
  samples.reserve(static_cast<std::size_t>(o.rows()));
  for (std::int64_t i = 0; i < o.rows(); ++i) {
    const auto ro = o.row(i), rc = c.row(i);
    SampleError s;
    s.index = i;
    s.original_label = po[static_cast<std::size_t>(i)];
    s.converted_label = pc[static_cast<std::size_t>(i)];
    for (std::size_t k = 0; k < ro.size(); ++k) {
      const double a = std::fabs(static_cast<double>(rc[k]) - static_cast<double>(ro[k]));
      const double rel = relative_error(ro[k], rc[k]);
      s.max_abs = std::max(s.max_abs, a);
      s.max_rel = std::max(s.max_rel, rel);
      // Passing needs a <= atol or rel <= rtol: at this rtol, atol must cover a where rel
      // fails, and vice versa.
      if (rel > tol.rtol) r.min_passing_atol = std::max(r.min_passing_atol, a);
      if (a > tol.atol) r.min_passing_rtol = std::max(r.min_passing_rtol, rel);
      if (a > tol.atol && rel > tol.rtol) ++s.failed_elements;
    }
    r.max_abs = std::max(r.max_abs, s.max_abs);
    r.max_rel = std::max(r.max_rel, s.max_rel);
    r.failed_elements += s.failed_elements;
    r.failed_samples += s.failed_elements > 0;
    samples.push_back(s);
  }
  const auto k =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(worst_k, 0)), samples.size());
  std::partial_sort(
      samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k), samples.end(),
      [](const SampleError& a, const SampleError& b) { return a.max_abs > b.max_abs; });
  r.worst.assign(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k));
  return r;
}

Tensor softmax_rows(const Tensor& t) {
  Tensor out = t;
  const auto n = t.row_size();
  for (std::int64_t i = 0; i < t.rows(); ++i) {
    float* r = out.data.data() + static_cast<std::size_t>(i) * n;
    const float m = *std::max_element(r, r + n);
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(r[k] - m));
    for (std::size_t k = 0; k < n; ++k)
      r[k] = static_cast<float>(std::exp(static_cast<double>(r[k] - m)) / sum);
  }
  return out;
}

Tensor permute_samples(const Tensor& t, const std::vector<std::size_t>& perm) {
  const Shape s(t.shape.begin() + 1, t.shape.end());
  Shape os(s.size());
  for (std::size_t i = 0; i < perm.size(); ++i) os[i] = s[perm[i]];
  std::vector<std::size_t> in_stride(s.size(), 1);
  for (std::size_t i = s.size(); i-- > 1;)
    in_stride[i - 1] = in_stride[i] * static_cast<std::size_t>(s[i]);
  Shape full{t.shape.front()};
  full.insert(full.end(), os.begin(), os.end());
  Tensor out(full);
  const std::size_t per = t.row_size();
  std::vector<std::size_t> idx(os.size(), 0);
  for (std::size_t o = 0; o < per; ++o) {
    std::size_t src = 0;
    for (std::size_t k = 0; k < os.size(); ++k) src += idx[k] * in_stride[perm[k]];
    for (std::int64_t n = 0; n < t.rows(); ++n)
      out.data[static_cast<std::size_t>(n) * per + o] =
          t.data[static_cast<std::size_t>(n) * per + src];
    for (std::size_t k = os.size(); k-- > 0;) {
      if (++idx[k] < static_cast<std::size_t>(os[k])) break;
      idx[k] = 0;
    }
  }
  return out;
}

Tensor sigmoid(const Tensor& t) {
  Tensor out = t;
  for (auto& v : out.data) v = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v))));
  return out;
}

}  // namespace convbench
