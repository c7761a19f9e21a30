"""Copies Keras weights into the torch twin of a model (numpy only).

TensorFlow and torch never share a process, so the transfer goes through numpy:

    Keras process:  layers = keras_layers(keras_model); save(path, layers)
    torch process:  state = to_torch_state(load(path)); load_into(torch_net, state)

Layers are matched by name (models_keras.py names each layer after the torch module that
holds the same weights). The per-type mapping:

    Conv2D     kernel [kh,kw,in,out] (HWIO)        -> weight [out,in,kh,kw] (OIHW); bias
    Dense      kernel [in,out]                     -> weight [out,in]; bias. After a Flatten
               of an HxWxC map (H*W > 1) the input rows are reordered from Keras' (h,w,c)
               flattening order to torch's (c,h,w).
    BatchNorm  gamma, beta, moving_mean, moving_variance
                                                   -> weight, bias, running_mean, running_var
    Embedding  embeddings                          -> weight
    LSTM       kernel [in,4u], recurrent [u,4u], bias [4u]; gate order i,f,c,o in both
               -> weight_ih [4u,in], weight_hh [4u,u], bias_ih = bias, bias_hh = 0
    GRU        (reset_after=True) kernel [in,3u], recurrent [u,3u], bias [2,3u] (input,
               recurrent); Keras gate order z,r,h, torch r,z,n
               -> weight_ih, weight_hh, bias_ih, bias_hh with the first two gate blocks swapped
"""
import json

import numpy as np


def keras_layers(model) -> list:
    """[{name, cls, input_shape, weights}] for every layer with weights, plus Flatten
    layers (their input shape decides the Dense reordering). Duck-typed: needs no import."""
    out = []
    for layer in model.layers:
        cls = type(layer).__name__
        if layer.weights or cls == "Flatten":
            out.append({"name": layer.name, "cls": cls,
                        "input_shape": list(layer.input_shape[1:]) if cls == "Flatten" else None,
                        "weights": [w.numpy() for w in layer.weights]})
    return out


def save(path, layers) -> None:
    arrays = {f"{i}/{j}": w for i, rec in enumerate(layers) for j, w in enumerate(rec["weights"])}
    index = [{k: v for k, v in rec.items() if k != "weights"} | {"n": len(rec["weights"])}
             for rec in layers]
    np.savez(path, __index__=np.array(json.dumps(index)), **arrays)


def load(path) -> list:
    with np.load(path) as z:
        index = json.loads(str(z["__index__"]))
        return [{**{k: v for k, v in rec.items() if k != "n"},
                 "weights": [z[f"{i}/{j}"] for j in range(rec["n"])]}
                for i, rec in enumerate(index)]


def _gates(a, n, axis):
    return np.split(a, n, axis=axis)


def to_torch_state(layers) -> dict:
    """Keras layer records -> torch state_dict of numpy arrays (keys `name.param`)."""
    state, flatten_hwc = {}, None
    for rec in layers:
        name, cls, w = rec["name"], rec["cls"], rec["weights"]
        p = f"{name}."
        if cls == "Flatten":
            flatten_hwc = rec["input_shape"]  # consumed by the Dense that follows
            continue
        if cls == "Conv2D":
            state[p + "weight"] = w[0].transpose(3, 2, 0, 1)
            if len(w) > 1:
                state[p + "bias"] = w[1]
        elif cls == "Dense":
            kernel = w[0]
            if flatten_hwc is not None and len(flatten_hwc) == 3:
                h, wd, c = flatten_hwc
                kernel = kernel.reshape(h, wd, c, -1).transpose(2, 0, 1, 3).reshape(h * wd * c, -1)
            state[p + "weight"] = kernel.T
            state[p + "bias"] = w[1]
        elif cls == "BatchNormalization":
            gamma, beta, mean, var = w
            state.update({p + "weight": gamma, p + "bias": beta, p + "running_mean": mean,
                          p + "running_var": var,
                          p + "num_batches_tracked": np.array(0, dtype=np.int64)})
        elif cls == "Embedding":
            state[p + "weight"] = w[0]
        elif cls == "LSTM":
            kernel, recurrent, bias = w  # i,f,c,o == torch's i,f,g,o: no reordering
            state.update({p + "weight_ih_l0": kernel.T, p + "weight_hh_l0": recurrent.T,
                          p + "bias_ih_l0": bias, p + "bias_hh_l0": np.zeros_like(bias)})
        elif cls == "GRU":
            kernel, recurrent, bias = w
            if bias.ndim != 2:
                raise ValueError(f"{name}: only reset_after=True GRUs map onto torch")

            def reorder(a):  # Keras z,r,h -> torch r,z,n along the last axis
                z, r, h = _gates(a, 3, axis=-1)
                return np.concatenate([r, z, h], axis=-1)

            state.update({p + "weight_ih_l0": reorder(kernel).T,
                          p + "weight_hh_l0": reorder(recurrent).T,
                          p + "bias_ih_l0": reorder(bias[0]), p + "bias_hh_l0": reorder(bias[1])})
        else:
            raise ValueError(f"{name}: no torch mapping for Keras layer type {cls}")
        flatten_hwc = None
    return {k: np.ascontiguousarray(v) for k, v in state.items()}


def load_into(net, state) -> None:
    """Loads a to_torch_state() dict into a torch module (every key must match)."""
    import torch  # only ever called in torch processes
    net.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
