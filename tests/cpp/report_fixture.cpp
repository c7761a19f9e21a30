#include "report_fixture.hpp"

#include <fstream>

#include "study/results_store.hpp"

namespace convbench::testing {

void write_report_store(const std::filesystem::path& file) {
  std::filesystem::remove(file);
  ResultsStore store(file, StoreAccess::read_write);
  store.set_meta("study", "demo");
  store.set_meta("created", "1764115200");
  store.set_meta("config",
                 "name = \"demo\"\nreplicates = 3\n[models.lenet5]\nepochs = 2\n"
                 "train_subset = 500\n[models.lstm]\n");
  for (const std::string model : {"lenet5", "lstm"})
    for (int rep = 0; rep < 3; ++rep) {
      const bool text = model == "lstm";
      const std::string fw = text ? "pytorch" : "keras";
      EvalResult er;
      nlohmann::json history = nlohmann::json::array();
      for (int e = 1; e <= 3; ++e)
        history.push_back({{"epoch", e},
                           {"loss", 1.0 / e + 0.01 * rep},
                           {"accuracy", 0.6 + 0.1 * e},
                           {"val_loss", 1.1 / e},
                           {"val_accuracy", 0.55 + 0.1 * e - 0.01 * rep}});
      er.manifest.raw = {{"training", {{"history", history}}}};
      er.samples = 100;
      const double acc = (text ? 0.80 : 0.98) + 0.004 * rep;
      ArtefactResult orig;
      orig.artefact.role = "original";
      orig.worker = text ? "torch" : "tensorflow";
      orig.accuracy = acc;
      orig.size_bytes = 600000 + 1000 * rep;
      orig.load_s = 0.20 + 0.01 * rep;
      orig.inference_s = (text ? 3.0 : 0.05) + 0.002 * rep;
      orig.latency = LatencyStats{0.001, 0.001, 0.002, 0.002, 0.001, 0.003, 10};
      orig.peak_rss_bytes = 200000000;
      er.artefacts.push_back(orig);
      for (const std::string worker : {"onnxruntime", "opencv"}) {
        ArtefactResult onnx = orig;
        onnx.artefact.role = "onnx";
        onnx.worker = worker;
        onnx.size_bytes = 570000;
        onnx.load_s = 0.01 + 0.001 * rep;
        onnx.inference_s = *orig.inference_s * (worker == "opencv" ? 1.2 : 0.5) + 0.001 * rep;
        Fidelity f;
        f.abs_error = {1e-7 * (rep + 1), 1e-8, 1e-6};
        f.rel_error = {1e-6 * (rep + 1), 1e-7, 1e-5};
        f.misclassification = 0.0;
        onnx.fidelity = f;
        er.artefacts.push_back(onnx);
      }
      ArtefactResult coreml;
      coreml.artefact.role = "coreml";
      coreml.status = ArtefactStatus::not_runnable;
      coreml.error = "Core ML runs only on macOS";
      coreml.size_bytes = 571000;
      er.artefacts.push_back(coreml);

      std::vector<AttackRecord> attacks;
      for (const std::string& attack : text ? std::vector<std::string>{"genetic"}
                                            : std::vector<std::string>{"fgsm", "boundary"}) {
        AttackRecord a;
        a.attack = attack;
        a.role = "onnx";
        a.worker = "onnxruntime";
        a.inputs = 50;
        a.attacked = 40;
        a.success_original = 0.5 + 0.05 * rep;
        a.success_converted = 0.5 + 0.05 * rep + (attack == "boundary" ? 0.02 : 0.0);
        a.misclassification = attack == "boundary" ? 0.02 : 0.0;
        a.abs_err_mean = 1e-7 * (rep + 1);
        a.abs_err_std = 1e-8;
        a.median_perturbation = text ? 0.1 : 1.5;
        a.queries = 400;
        a.attack_wall_s = 3.0;
        AttackRecord c = a;
        c.role = "coreml";
        c.worker = "";
        c.status = "not_runnable";
        c.error = "Core ML runs only on macOS";
        c.success_converted.reset();
        c.misclassification.reset();
        c.abs_err_mean.reset();
        c.abs_err_std.reset();
        attacks.push_back(a);
        attacks.push_back(c);
      }
      // The study records each cell's dataset (and so its modality) with the cell.
      store.save_cell(
          {{model, fw, rep}, rep, CellStatus::done, "", 1, 1, text ? "imdb" : "mnist", ""}, &er,
          attacks);
    }
}

void write_report_paper_csv(const std::filesystem::path& csv) {
  std::ofstream(csv) << R"(table,model,framework,attack,quantity,variant,mean,std
I,LeNet-5,Keras,,accuracy_pct,original,99.85,
I,LeNet-5,Keras,,accuracy_pct,onnx,99.85,
I,LeNet-5,Keras,,accuracy_pct,coreml,99.85,
I,LSTM,PyTorch,,accuracy_pct,original,74.22,
I,LSTM,PyTorch,,accuracy_pct,onnx,74.22,
I,LSTM,PyTorch,,accuracy_pct,coreml,74.22,
II,LeNet-5,Keras,,abs_error,onnx,6.7E-09,8.8E-09
II,LeNet-5,Keras,,misclassification_pct,coreml,0,0
III,LeNet-5,Keras,,load_time_s,original,0.21,8.4E-03
III,LeNet-5,Keras,,load_time_s,onnx,7.6E-04,5.2E-04
III,LeNet-5,Keras,,inference_time_s,original,5.7E-02,1.7E-02
III,LeNet-5,Keras,,inference_time_s,onnx,7.6E-03,2.5E-03
III,LSTM,PyTorch,,inference_time_s,original,3.7,0.72
III,LSTM,PyTorch,,inference_time_s,onnx,2.2,0.62
III,LSTM,Keras,,inference_time_s,original,0.31,0.36
IV,LeNet-5,Keras,,size_mb,original,0.6019,0
IV,LeNet-5,Keras,,size_mb,onnx,0.5727,0
IV,LeNet-5,Keras,,size_mb,coreml,0.5709,0
V,LeNet-5,Keras,FGSM,adv_misclassification_pct,onnx,0,0
V,LeNet-5,Keras,FGSM,adv_misclassification_pct,coreml,92.27,1.9
V,LeNet-5,Keras,Boundary,adv_abs_error,onnx,1.2E-07,6.9E-09
VI,LSTM,PyTorch,GA,adv_misclassification_pct,onnx,2.75,0.73
VII,LeNet-5,Keras,,robustness_indicator,onnx,0,
VII,LeNet-5,Keras,,robustness_indicator,coreml,1.87,
)";
}

}  // namespace convbench::testing
