"""Runs framework-specific checks in a fresh process (one framework per process).

    framework_helper.py parity MODEL_DIR...       original vs ONNX outputs, per model dir
    framework_helper.py keras-twin WORK_DIR       Keras half of the weight-transfer check
    framework_helper.py torch-twin WORK_DIR       torch half (after keras-twin)
    framework_helper.py fail MODEL_DIR onnx|coreml
        run `convert` with that converter patched to raise

WORK_DIR holds metas.json ({model: dataset meta}); keras-twin writes its files there.
Prints one JSON object on its last stdout line.
"""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from convbench_zoo import arch, cli
from convbench_zoo import hparams as hparams_mod
from convbench_zoo import manifest as mf
from convbench_zoo import weight_transfer as wt

N_SAMPLES = 8  # batch for the equivalence checks


def sample_inputs(meta, n, seed):
    """n samples as stored in the .npy files: NCHW images ~ N(0,1), or float token ids."""
    rng = np.random.default_rng(seed)
    if meta["kind"] == "image":
        return rng.standard_normal((n, *meta["sample_shape"]), dtype=np.float32)
    return rng.integers(0, meta["vocab_size"], (n, meta["seq_len"])).astype(np.int64)


def _meta_of_manifest(m):
    inp = m["input"]
    if inp["layout"] == "tokens":
        return {"kind": "text", "vocab_size": inp["vocab_size"], "seq_len": inp["seq_len"]}
    shape = inp["shape"] if inp["layout"] == "NCHW" else [inp["shape"][2], *inp["shape"][:2]]
    return {"kind": "image", "sample_shape": shape}


def parity(*model_dirs):
    import onnxruntime as ort
    out = {}
    for model_dir in map(Path, model_dirs):
        m = mf.read(model_dir)
        backend = cli.load_backend(m["framework"])
        meta = _meta_of_manifest(m)
        x = backend.to_model_layout(sample_inputs(meta, 5, seed=1), meta)
        if m["framework"] == "keras":
            # Run the SavedModel exactly as the TF C API will: by the recorded tensor names.
            # (Cheaper than reloading it as a Keras model, which `convert` already did.)
            import tensorflow as tf
            art = m["artefacts"]["original"]
            with tf.compat.v1.Session(graph=tf.Graph()) as sess:
                tf.compat.v1.saved_model.loader.load(sess, ["serve"], str(model_dir / art["path"]))
                original = sess.run(art["tf_output"], {art["tf_input"]: x})
        else:
            import torch
            with torch.no_grad():
                original = backend.load_original(model_dir)(torch.from_numpy(x)).numpy()
        sess = ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
        onnx_batch = sess.run(None, {"input": x})[0]
        onnx_single = np.concatenate([sess.run(None, {"input": x[i:i + 1]})[0] for i in range(len(x))])
        # Saturated softmax rows (common after a tiny training run) hide differences in
        # the probabilities; log-probabilities (= logits up to a shift) still show them.
        logp = [np.log(np.maximum(p, 1e-30)) for p in (original, onnx_batch)]
        out[str(model_dir)] = {
            "shape": list(original.shape),
            "max_abs_diff_logp": float(np.abs(logp[0] - logp[1]).max()),
            "max_prob": float(original.max()),
            "max_abs_diff": float(max(np.abs(original - onnx_batch).max(),
                                      np.abs(original - onnx_single).max())),
            "max_row_sum_err": float(np.abs(original.sum(axis=1) - 1).max()),
            "min_prob": float(original.min()),
            "onnx_inputs": [i.name for i in sess.get_inputs()],
            "onnx_outputs": [o.name for o in sess.get_outputs()],
        }
    return out


# --- weight transfer: the Keras and torch definitions are the same network -------------

def _randomise_keras(model, rng):
    """Non-trivial values for what initialises to constants (biases, BN parameters and
    moving statistics), so that their mapping is exercised too. Kernels keep their init."""
    for w in model.weights:
        name, shape = w.name.split("/")[-1], tuple(w.shape)
        if "moving_variance" in name or "gamma" in name:
            w.assign(rng.uniform(0.5, 1.5, shape).astype(np.float32))
        elif "moving_mean" in name or "beta" in name or "bias" in name:
            w.assign(rng.normal(0.0, 0.2, shape).astype(np.float32))


TRAIN_STEPS = 2  # momentum and Adam's moments matter from the second step on


def step_hparams(model, config):
    """Hyperparameters for the training-step check: the model's optimiser with values large
    enough that a wrong L2 factor or momentum rule shows far above rounding, and Adam's
    epsilon negligible (where Keras and torch add it differs; see config/models.toml)."""
    hp = config[model].hparams
    if hp.optimizer == "sgd":
        return dataclasses.replace(hp, lr=0.1, momentum=0.9, weight_decay=0.1)
    return dataclasses.replace(hp, lr=0.01, epsilon=1e-20, weight_decay=0.1)


def keras_twin(work):
    """Per model, written to WORK/<model>.*:
    float32 (the dtype trained and deployed): random weights (w0), eval outputs, one
      training-mode forward (its outputs and the BN moving statistics it updates: w1);
    float64: TRAIN_STEPS optimiser steps with step_hparams (start, losses, end). In
      float32 a 1e-7 change of the input already moves some of the randomised ResNet's
      gradients by percents (ReLU/BN on a batch of 8), so the two frameworks' rounding
      alone would hide or fake a difference in the update rule."""
    backend = cli.load_backend("keras")
    import tensorflow as tf
    from convbench_zoo import models_keras
    work = Path(work)
    metas = json.loads((work / "metas.json").read_text())
    config = hparams_mod.load()
    counts = {}
    for model in arch.MODELS:
        meta = metas[model]
        x = sample_inputs(meta, N_SAMPLES, seed=2)
        y = np.arange(N_SAMPLES) % meta["num_classes"]
        xk = backend.to_model_layout(x, meta)
        res = {"x": x, "y": y}
        for dtype in ("float32", "float64"):
            tf.keras.backend.set_floatx(dtype)
            tf.keras.utils.set_random_seed(0)
            logits_model, deployed = models_keras.build(model, meta)
            _randomise_keras(logits_model, np.random.default_rng(0))
            xd = xk.astype(dtype) if meta["kind"] == "image" else xk  # token ids stay int64
            if dtype == "float32":
                wt.save(work / f"{model}.w0.npz", wt.keras_layers(logits_model))
                res.update(eval_logits=logits_model(xd, training=False).numpy(),
                           eval_probs=deployed(xd, training=False).numpy(),
                           train_logits=logits_model(xd, training=True).numpy())
                wt.save(work / f"{model}.w1.npz", wt.keras_layers(logits_model))
                counts[model] = backend.count_params(logits_model)
            else:
                wt.save(work / f"{model}.start.npz", wt.keras_layers(logits_model))
                backend.compile_for_training(logits_model, step_hparams(model, config))
                logits_model.run_eagerly = True  # same step, without tracing it (~30 s less)
                res["losses"] = np.array([
                    logits_model.train_on_batch(xd, y, return_dict=True)["loss"]
                    for _ in range(TRAIN_STEPS)])
                wt.save(work / f"{model}.end.npz", wt.keras_layers(logits_model))
        tf.keras.backend.set_floatx("float32")
        np.savez(work / f"{model}.out.npz", **res)
    return counts


def _max_rel(a, b):
    """max |a-b| / max(1, max|a|): absolute for O(1) values, relative for large ones."""
    return float(np.abs(a - b).max() / max(1.0, float(np.abs(a).max())))


def _state_diff(net, state):
    """Largest _max_rel over the tensors of net's state_dict vs a mapped Keras state."""
    own = {k: v.detach().numpy() for k, v in net.state_dict().items()
           if not k.endswith("num_batches_tracked")}  # torch-only counter
    assert own.keys() <= state.keys(), own.keys() ^ state.keys()
    return max(_max_rel(state[k], own[k]) for k in own)


def torch_twin(work):
    backend = cli.load_backend("pytorch")
    import torch
    from convbench_zoo import models_torch
    torch.use_deterministic_algorithms(True)
    work = Path(work)
    metas = json.loads((work / "metas.json").read_text())
    config = hparams_mod.load()
    out = {}
    for model in arch.MODELS:
        meta = metas[model]
        ref = dict(np.load(work / f"{model}.out.npz"))
        x, y = torch.from_numpy(ref["x"]), torch.from_numpy(ref["y"].astype(np.int64))
        net = models_torch.build(model, meta)
        wt.load_into(net, wt.to_torch_state(wt.load(work / f"{model}.w0.npz")))
        r = {}
        with torch.no_grad():
            net.eval()
            r["eval_logits"] = _max_rel(ref["eval_logits"], net(x).numpy())
            probs = models_torch.WithSoftmax(net)(x).numpy()
            r["eval_probs"] = float(np.abs(ref["eval_probs"] - probs).max())
            net.train()
            r["train_logits"] = _max_rel(ref["train_logits"], net(x).numpy())
        # BN moving statistics after that training-mode forward (momentum, unbiased variance)
        after = wt.to_torch_state(wt.load(work / f"{model}.w1.npz"))
        r["state_after_train_forward"] = _state_diff(net, after)

        # Training steps, float64 (see keras_twin).
        net = models_torch.build(model, meta).double()
        start = wt.to_torch_state(wt.load(work / f"{model}.start.npz"))
        wt.load_into(net, start)
        net.train()
        hp = step_hparams(model, config)
        opt, objective = backend.make_optimizer(net, hp), backend.Objective(net, hp)
        losses = []
        for _ in range(TRAIN_STEPS):
            opt.zero_grad()
            loss = objective(net(x.double() if x.is_floating_point() else x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())  # like train_on_batch: the loss before the update
        r["losses_rel"] = float(np.abs(np.array(losses) / ref["losses"] - 1).max())
        # Per trainable tensor: |torch - Keras| relative to how far the steps moved it. (Not the
        # BN moving statistics: Keras' float64 BN is the non-fused kernel, which updates the
        # moving variance with the biased batch variance; float32 is checked above.)
        end = wt.to_torch_state(wt.load(work / f"{model}.end.npz"))
        r["update_rel"] = max(
            float(np.abs(p.detach().numpy() - end[k]).max() / np.abs(end[k] - start[k]).max())
            for k, p in net.named_parameters() if p.requires_grad)
        r["params"] = backend.count_params(net)
        out[model] = r
    return out


def fail(model_dir, which):
    m = mf.read(model_dir)
    cli.load_backend(m["framework"])

    def boom(*args, **kwargs):
        raise RuntimeError(f"injected {which} failure")

    # Patch the converter library itself, so the whole call path up to it is exercised.
    if which == "coreml":
        import coremltools
        coremltools.convert = boom
    elif m["framework"] == "keras":
        import tf2onnx
        tf2onnx.convert.from_keras = boom
    else:
        import torch
        torch.onnx.export = boom
    return {"rc": cli.main(["convert", "--model-dir", str(model_dir)])}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    fn = {"parity": parity, "keras-twin": keras_twin, "torch-twin": torch_twin, "fail": fail}[command]
    print(json.dumps(fn(*rest)))
