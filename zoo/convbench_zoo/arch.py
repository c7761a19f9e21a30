"""Framework-neutral facts about the five architectures (no TensorFlow, no torch).

models_keras.py and models_torch.py both read their sizes and constants from here, so
the two definitions of a model cannot disagree on a number. The layer lists themselves
are written out in each framework (see the docstrings there and zoo/README.md).
"""

# Which architectures exist, and what they consume. The dataset each one trains on is
# given in config/models.toml (the compatibility rule `--model` is checked against).
IMAGE, TEXT = "image", "text"
KIND = {"lenet5": IMAGE, "resnet18": IMAGE, "vgg16": IMAGE, "lstm": TEXT, "gru": TEXT}
MODELS = tuple(KIND)


def input_dtype(sample_shape) -> str:
    """What a model takes, as every real model does: int64 token ids for a sequence
    (1-D samples), float32 pixels for an image."""
    return "int64" if len(sample_shape) == 1 else "float32"

# BatchNormalization, the same behaviour in both frameworks (torch's defaults):
#   y = (x - mean) / sqrt(var + BN_EPSILON) * gamma + beta
#   moving = BN_DECAY * moving + (1 - BN_DECAY) * batch_statistic
# Keras calls BN_DECAY `momentum` (default 0.99, epsilon 1e-3); torch calls 1 - BN_DECAY
# `momentum` (default 0.1, eps 1e-5). Both use the unbiased batch variance for the moving
# variance and the biased one to normalise in training.
BN_EPSILON = 1e-5
BN_DECAY = 0.9

# ResNet-18, CIFAR variant: output channels and first stride of each of the 4 stages
# (2 BasicBlocks each), after a 3x3/64 stride-1 stem without max-pool.
RESNET18_STEM = 64
RESNET18_STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))
RESNET18_BLOCKS_PER_STAGE = 2

# VGG-16 (configuration "D"), CIFAR variant: 13 3x3 convs (each conv+BN+ReLU), "M" = 2x2
# max-pool. Five pools take 32x32 to 1x1, so the classifier sees exactly 512 features.
VGG16_CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
             512, 512, 512, "M", 512, 512, 512, "M")

# Text classifiers: Embedding(vocab_size, EMBED_DIM) -> one LSTM/GRU layer with RNN_UNITS
# units (last hidden state) -> Dense(num_classes) -> softmax.
EMBED_DIM = 128
RNN_UNITS = 128
# Keras' default Embedding initialiser, used in both frameworks.
EMBED_INIT_BOUND = 0.05


def vgg16_layers():
    """VGG16_CFG as named layers, identical in both frameworks:
    [("conv1_1", 64), ("conv1_2", 64), ("pool1", "M"), ("conv2_1", 128), ...]."""
    out, block, i = [], 1, 1
    for v in VGG16_CFG:
        if v == "M":
            out.append((f"pool{block}", "M"))
            block, i = block + 1, 1
        else:
            out.append((f"conv{block}_{i}", v))
            i += 1
    return out
