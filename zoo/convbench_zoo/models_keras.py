"""LeNet-5 in Keras (NHWC). Mirror of models_torch.py: keep the two layer lists in sync.

    input  28x28x1
    conv1  6@5x5, padding same, ReLU  -> 28x28x6     156 params
    pool1  max 2x2                    -> 14x14x6
    conv2  16@5x5, valid, ReLU        -> 10x10x16   2416 params
    pool2  max 2x2                    -> 5x5x16
    flatten                           -> 400
    fc1    120, ReLU                             48120 params
    fc2    84, ReLU                              10164 params
    fc3    10 (logits)                             850 params
    output softmax                                     total 61706
"""
import tensorflow as tf

from convbench_zoo.hparams import IMAGE_HW, NUM_CLASSES

INPUT_SHAPE = [IMAGE_HW, IMAGE_HW, 1]
LAYOUT = "NHWC"


def build_lenet5():
    """Returns (logits_model, deployed_model); both share the same layers/weights.

    Training uses the logits model with a from_logits loss (numerically stable, same
    objective as PyTorch's CrossEntropyLoss); the deployed model adds the softmax.
    """
    L = tf.keras.layers
    inp = tf.keras.Input(shape=INPUT_SHAPE, name="input")  # -> serving_default_input:0
    x = L.Conv2D(6, 5, padding="same", activation="relu", name="conv1")(inp)
    x = L.MaxPool2D(2, name="pool1")(x)
    x = L.Conv2D(16, 5, padding="valid", activation="relu", name="conv2")(x)
    x = L.MaxPool2D(2, name="pool2")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(120, activation="relu", name="fc1")(x)
    x = L.Dense(84, activation="relu", name="fc2")(x)
    logits = L.Dense(NUM_CLASSES, name="fc3")(x)
    probs = L.Softmax(name="output")(logits)
    return (tf.keras.Model(inp, logits, name="lenet5_logits"),
            tf.keras.Model(inp, probs, name="lenet5"))
