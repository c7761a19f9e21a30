"""LeNet-5 in PyTorch (NCHW). Mirror of models_keras.py: keep the two layer lists in sync.

Layer list and parameter counts are documented in models_keras.py (total 61706).
"""
import torch
from torch import nn

from convbench_zoo.hparams import IMAGE_HW, NUM_CLASSES

INPUT_SHAPE = [1, IMAGE_HW, IMAGE_HW]
LAYOUT = "NCHW"


class LeNet5(nn.Module):
    """Outputs logits; used for training with CrossEntropyLoss."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2),  # padding 2 == Keras 'same' for a 5x5 kernel
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5),  # valid
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, NUM_CLASSES),
        )
        # Keras' default initialisation (Glorot-uniform weights, zero biases) instead of
        # torch's (Kaiming-uniform with a=sqrt(5)), so both frameworks start from the same
        # weight distribution: with plain SGD the torch default trains much more slowly
        # and the per-framework curves would differ for a reason unrelated to the framework.
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.features(x))


class WithSoftmax(nn.Module):
    """The deployed model: the trained net followed by softmax over classes."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)
