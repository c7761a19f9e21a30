#pragma once
// The study's models as a description: name (as in config/models.toml and the store), the
// paper's spelling, in the paper's order. Tables, the report and the paper comparison read their
// order and names from here; each model's dataset and hyperparameters are in config/models.toml,
// and its modality is stored with every cell (results_store.hpp).
#include <span>
#include <string>
#include <string_view>

namespace convbench {

struct ModelDesc {
  std::string_view name, display;
};

std::span<const ModelDesc> study_models();  // LeNet-5, ResNet-18, VGG-16, LSTM, GRU
// Position in the paper's order; models the list does not know sort after it.
int model_rank(std::string_view name);
// "LeNet-5" for "lenet5"; an unknown name as it is.
std::string display_model(std::string_view name);
// The inverse of display_model.
std::string model_id(std::string_view display);

}  // namespace convbench
