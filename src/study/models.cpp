#include "study/models.hpp"

#include <array>

namespace convbench {

std::span<const ModelDesc> study_models() {
  static constexpr std::array<ModelDesc, 5> kModels{{{"lenet5", "LeNet-5"},
                                                     {"resnet18", "ResNet-18"},
                                                     {"vgg16", "VGG-16"},
                                                     {"lstm", "LSTM"},
                                                     {"gru", "GRU"}}};
  return kModels;
}

int model_rank(std::string_view name) {
  const auto m = study_models();
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i].name == name) return static_cast<int>(i);
  return static_cast<int>(m.size());
}

std::string display_model(std::string_view name) {
  for (const auto& m : study_models())
    if (m.name == name) return std::string(m.display);
  return std::string(name);
}

std::string model_id(std::string_view display) {
  for (const auto& m : study_models())
    if (m.display == display) return std::string(m.name);
  return std::string(display);
}

}  // namespace convbench
