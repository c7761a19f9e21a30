"""The five architectures in Keras (images NHWC). Mirror of models_torch.py.

Every layer with weights has the same name as the torch module holding the same weights
(e.g. "layer2.0.conv1"), which is what weight_transfer.py relies on. Initialisation is
Keras' default everywhere (Glorot-uniform kernels, zero biases, BN gamma 1 / beta 0,
Embedding U(-0.05, 0.05), orthogonal recurrent kernels, LSTM forget-gate bias 1);
models_torch.py reproduces it. Trainable parameter counts (zoo/README.md has the tables):

    lenet5 (input 28x28x1)                                    params
      conv1  6@5x5, padding same, ReLU   -> 28x28x6              156
      pool1  max 2x2                     -> 14x14x6
      conv2  16@5x5, valid, ReLU         -> 10x10x16            2416
      pool2  max 2x2                     -> 5x5x16
      flatten                            -> 400
      fc1    120, ReLU                                         48120
      fc2    84, ReLU                                          10164
      fc3    10 (logits)                                         850
      output softmax                                    total  61706

    resnet18 (CIFAR variant, input 32x32x3): conv1 3x3/64 s1 + bn1 + ReLU (no max-pool);
      layer1..layer4, 2 BasicBlocks each, 64/128/256/512 channels, first block of
      layer2..4 stride 2 with a 1x1-conv+BN projection shortcut (down_conv, down_bn);
      global average pool; fc 10; softmax.                       total 11,173,962
    vgg16 (CIFAR variant, input 32x32x3): 13 x (3x3 conv + BN + ReLU) in 5 blocks
      (64,64 | 128,128 | 256x3 | 512x3 | 512x3), 2x2 max-pool after each block -> 1x1x512;
      flatten; fc 10; softmax.                                   total 14,724,042
    lstm / gru (input: seq_len float token ids): embedding vocab_size x 128; one LSTM/GRU
      layer, 128 units, last hidden state; fc 2; softmax.
                                 total 128*vocab_size + 131,842 (LSTM) / + 99,330 (GRU)
"""
import tensorflow as tf

from convbench_zoo import arch

L = tf.keras.layers


def input_shape(meta) -> list:
    """Per-sample input shape as Keras sees it: HWC for images, [seq_len] for text."""
    if meta["kind"] == "image":
        c, h, w = meta["sample_shape"]
        return [h, w, c]
    return [meta["seq_len"]]


def layout(meta) -> str:
    return "NHWC" if meta["kind"] == "image" else "tokens"


def _bn(name):
    return L.BatchNormalization(momentum=arch.BN_DECAY, epsilon=arch.BN_EPSILON, name=name)


def _conv3x3(x, filters, stride, name):
    """3x3 conv, no bias (a BN follows). Keras 'same' with stride 2 pads only bottom/right
    (TF's rule) while torch's padding=1 pads all sides, so stride-2 convs pad explicitly
    by 1 on every side and then run 'valid' - the same arithmetic as torch. With stride 1
    'same' is already symmetric (1 each side) and is kept."""
    if stride == 1:
        return L.Conv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    x = L.ZeroPadding2D(1, name=name + "_pad")(x)
    return L.Conv2D(filters, 3, strides=stride, padding="valid", use_bias=False, name=name)(x)


def _lenet5(x, num_classes):
    x = L.Conv2D(6, 5, padding="same", activation="relu", name="conv1")(x)
    x = L.MaxPool2D(2, name="pool1")(x)
    x = L.Conv2D(16, 5, padding="valid", activation="relu", name="conv2")(x)
    x = L.MaxPool2D(2, name="pool2")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(120, activation="relu", name="fc1")(x)
    x = L.Dense(84, activation="relu", name="fc2")(x)
    return L.Dense(num_classes, name="fc3")(x)


def _basic_block(x, filters, stride, name):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut (1x1 conv stride s + BN when the
    shape changes, else identity), then ReLU."""
    shortcut = x
    y = _conv3x3(x, filters, stride, f"{name}.conv1")
    y = L.ReLU(name=f"{name}.relu1")(_bn(f"{name}.bn1")(y))
    y = _conv3x3(y, filters, 1, f"{name}.conv2")
    y = _bn(f"{name}.bn2")(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = L.Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{name}.down_conv")(x)
        shortcut = _bn(f"{name}.down_bn")(shortcut)
    y = L.Add(name=f"{name}.add")([y, shortcut])
    return L.ReLU(name=f"{name}.relu2")(y)


def _resnet18(x, num_classes):
    x = _conv3x3(x, arch.RESNET18_STEM, 1, "conv1")
    x = L.ReLU(name="relu1")(_bn("bn1")(x))
    for s, (filters, stride) in enumerate(arch.RESNET18_STAGES, start=1):
        for b in range(arch.RESNET18_BLOCKS_PER_STAGE):
            x = _basic_block(x, filters, stride if b == 0 else 1, f"layer{s}.{b}")
    x = L.GlobalAveragePooling2D(name="pool")(x)
    return L.Dense(num_classes, name="fc")(x)


def _vgg16(x, num_classes):
    for name, v in arch.vgg16_layers():
        if v == "M":
            x = L.MaxPool2D(2, name=name)(x)
        else:
            x = _conv3x3(x, v, 1, name)
            suffix = name[len("conv"):]
            x = L.ReLU(name=f"relu{suffix}")(_bn(f"bn{suffix}")(x))
    x = L.Flatten(name="flatten")(x)  # 1x1x512 -> 512
    return L.Dense(num_classes, name="fc")(x)


def _rnn(x, num_classes, meta, cell):
    # int64 token ids, as every real text model takes. No masking (mask_zero
    # False): padding tokens are ordinary inputs to the recurrence, as in torch.
    x = L.Embedding(meta["vocab_size"], arch.EMBED_DIM, name="embedding")(x)
    if cell == "lstm":
        # Defaults kept on purpose: tanh/sigmoid, no dropout, unroll False, use_bias,
        # unit_forget_bias True - the standard (cuDNN-compatible) LSTM that tf2onnx knows.
        x = L.LSTM(arch.RNN_UNITS, name="rnn")(x)
    else:
        # reset_after=True (TF2's default) is the GRU variant torch implements: the reset
        # gate multiplies (W_hn h + b_hn), with separate input and recurrent biases.
        x = L.GRU(arch.RNN_UNITS, reset_after=True, name="rnn")(x)
    return L.Dense(num_classes, name="fc")(x)  # last hidden state -> logits


def build(model: str, meta):
    """Returns (logits_model, deployed_model); both share the same layers/weights.

    Training uses the logits model with a from_logits loss (numerically stable, same
    objective as PyTorch's CrossEntropyLoss); the deployed model adds the softmax.
    """
    # The name makes the SavedModel's serving input "serving_default_input:0".
    shape = input_shape(meta)
    inp = tf.keras.Input(shape=shape, name="input", dtype=arch.input_dtype(shape))
    n = meta["num_classes"]
    if model == "lenet5":
        logits = _lenet5(inp, n)
    elif model == "resnet18":
        logits = _resnet18(inp, n)
    elif model == "vgg16":
        logits = _vgg16(inp, n)
    elif model in ("lstm", "gru"):
        logits = _rnn(inp, n, meta, model)
    else:
        raise ValueError(f"unknown model {model!r}")
    probs = L.Softmax(name="output")(logits)
    return (tf.keras.Model(inp, logits, name=f"{model}_logits"),
            tf.keras.Model(inp, probs, name=model))
