"""The five architectures in PyTorch (images NCHW). Mirror of models_keras.py.

Module names equal the Keras layer names (weight_transfer.py maps by name). Layer lists
and parameter counts: models_keras.py and zoo/README.md.

Initialisation follows Keras' defaults in every layer (see init_like_keras), instead of
torch's (Kaiming-uniform with a=sqrt(5), N(0,1) embeddings, U(+-1/sqrt(units)) for RNNs):
both frameworks start from the same weight distribution, so a difference in the training
curves is not an initialisation artefact.
"""
from collections import OrderedDict

import torch
from torch import nn

from convbench_zoo import arch


def input_shape(meta) -> list:
    """Per-sample input shape: CHW for images (as stored in the .npy), [seq_len] for text."""
    return list(meta["sample_shape"]) if meta["kind"] == "image" else [meta["seq_len"]]


def layout(meta) -> str:
    return "NCHW" if meta["kind"] == "image" else "tokens"


def _bn(channels):
    return nn.BatchNorm2d(channels, eps=arch.BN_EPSILON, momentum=1 - arch.BN_DECAY)


def _conv3x3(cin, cout, stride):
    # padding=1 is symmetric; models_keras pads stride-2 convs explicitly to match.
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class LeNet5(nn.Sequential):
    def __init__(self, meta):
        c = meta["sample_shape"][0]
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(c, 6, 5, padding=2)),  # padding 2 == Keras 'same' for 5x5
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(6, 16, 5)),  # valid
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            # NCHW flattens in (c, h, w) order, Keras in (h, w, c): same function, fc1's
            # rows permuted (weight_transfer.py handles it).
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(16 * 5 * 5, 120)),
            ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(120, 84)),
            ("relu4", nn.ReLU()),
            ("fc3", nn.Linear(84, meta["num_classes"])),
        ]))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = _conv3x3(cin, cout, stride)
        self.bn1 = _bn(cout)
        self.conv2 = _conv3x3(cout, cout, 1)
        self.bn2 = _bn(cout)
        self.relu = nn.ReLU()
        self.down_conv = self.down_bn = None
        if stride != 1 or cin != cout:  # projection shortcut
            self.down_conv = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.down_bn = _bn(cout)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        shortcut = x if self.down_conv is None else self.down_bn(self.down_conv(x))
        return self.relu(y + shortcut)


class ResNet18(nn.Module):
    def __init__(self, meta):
        super().__init__()
        self.conv1 = _conv3x3(meta["sample_shape"][0], arch.RESNET18_STEM, 1)
        self.bn1 = _bn(arch.RESNET18_STEM)
        self.relu1 = nn.ReLU()
        cin = arch.RESNET18_STEM
        for s, (cout, stride) in enumerate(arch.RESNET18_STAGES, start=1):
            blocks = []
            for b in range(arch.RESNET18_BLOCKS_PER_STAGE):
                blocks.append(BasicBlock(cin, cout, stride if b == 0 else 1))
                cin = cout
            setattr(self, f"layer{s}", nn.Sequential(*blocks))  # names layer{s}.{b}.*
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, meta["num_classes"])

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class VGG16(nn.Sequential):
    def __init__(self, meta):
        layers, cin = [], meta["sample_shape"][0]
        for name, v in arch.vgg16_layers():
            if v == "M":
                layers.append((name, nn.MaxPool2d(2)))
            else:
                suffix = name[len("conv"):]
                layers += [(name, _conv3x3(cin, v, 1)), (f"bn{suffix}", _bn(v)),
                           (f"relu{suffix}", nn.ReLU())]
                cin = v
        layers += [("flatten", nn.Flatten()), ("fc", nn.Linear(cin, meta["num_classes"]))]
        super().__init__(OrderedDict(layers))


class RNNClassifier(nn.Module):
    """Embedding -> LSTM or GRU (last hidden state) -> Linear. Input: int64 token ids
    [N, L], as every real text model takes."""

    def __init__(self, meta, cell):
        super().__init__()
        self.embedding = nn.Embedding(meta["vocab_size"], arch.EMBED_DIM)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(arch.EMBED_DIM, arch.RNN_UNITS, batch_first=True)
        self.fc = nn.Linear(arch.RNN_UNITS, meta["num_classes"])

    def forward(self, x):
        out, _ = self.rnn(self.embedding(x))  # no masking/packing: padding is input
        return self.fc(out[:, -1])


def init_like_keras(net: nn.Module) -> nn.Module:
    """Keras' default initialisers, for every layer type used here."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            # xavier on [out, in, kh, kw] uses the same fan_in/fan_out as Keras' Glorot.
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            m.reset_parameters()  # gamma 1, beta 0, mean 0, var 1: as Keras
        elif isinstance(m, nn.Embedding):
            nn.init.uniform_(m.weight, -arch.EMBED_INIT_BOUND, arch.EMBED_INIT_BOUND)
        elif isinstance(m, (nn.LSTM, nn.GRU)):
            nn.init.xavier_uniform_(m.weight_ih_l0)  # Keras kernel: Glorot-uniform
            nn.init.orthogonal_(m.weight_hh_l0)  # Keras recurrent_kernel: orthogonal
            nn.init.zeros_(m.bias_ih_l0)
            nn.init.zeros_(m.bias_hh_l0)
            if isinstance(m, nn.LSTM):
                units = m.hidden_size
                with torch.no_grad():  # Keras unit_forget_bias=True; gate order i,f,g,o
                    m.bias_ih_l0[units:2 * units] = 1.0
                # torch's LSTM adds two bias vectors (b_ih + b_hh) where Keras' has one.
                # Training both would give the sum twice the gradient step of Keras'
                # single bias, so b_hh stays fixed at zero: the same function, the same
                # trainable parameters, the same updates. (GRU: Keras reset_after=True
                # has both biases too, so both stay trainable.)
                m.bias_hh_l0.requires_grad_(False)
    return net


def build(model: str, meta) -> nn.Module:
    """The logits network (training form) for `model`, initialised like Keras."""
    if model == "lenet5":
        net = LeNet5(meta)
    elif model == "resnet18":
        net = ResNet18(meta)
    elif model == "vgg16":
        net = VGG16(meta)
    elif model in ("lstm", "gru"):
        net = RNNClassifier(meta, model)
    else:
        raise ValueError(f"unknown model {model!r}")
    return init_like_keras(net)


def trainable_parameters(net: nn.Module):
    return [p for p in net.parameters() if p.requires_grad]


class WithSoftmax(nn.Module):
    """The deployed model: the trained net followed by softmax over classes."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)
