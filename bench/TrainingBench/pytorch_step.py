#!/usr/bin/python3
"""PyTorch twin of the product's training step, for bench/run-training-bench.sh.

Written from the method description (../shared/reference/maskcontrast-method.md sections 2-5), not from the official code.
It builds the same network, augmentation, loss, momentum encoder, queue and SGD as core/ for the configuration that
`TrainingBench prepare <config>` prints (the resolved preset, same field names), trains on the same synthetic images,
and prints one JSON line of step times in ms, like `TrainingBench run`.

usage: pytorch_step.py <prepared.json> [warmup] [steps]      threads: $BENCH_THREADS (default 2)
"""
import copy
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image
from torchvision.models.segmentation.deeplabv3 import ASPP

IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
DILATE = {"Eight": [False, True, True], "Sixteen": [False, False, True], "ThirtyTwo": [False, False, False]}
BASIC_BLOCKS = {"resnet18": [2, 2, 2, 2], "resnet34": [3, 4, 6, 3], "narrow": [1, 1, 1, 1], "mlnet-resnet18": [2, 2, 2, 3]}
# mlnet-resnet18 takes BGR on the 0-255 scale minus its mean image's channel means (core/Model/ImageNetResNet18.cs).
MLNET_MEAN_BGR = [103.06262, 115.90289, 123.15163]


# ---- model: dilated ResNet -> DeepLabv3 decoder -> 1x1 embedding head and 1x1 saliency head (core/Model) ----

class DilatedBasicBlock(nn.Module):
    """torchvision's BasicBlock plus a dilation (core/Model/BasicBlockResNet.cs): both 3x3 convs use the same dilation."""

    def __init__(self, inplanes, planes, stride, dilation, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn1(self.conv1(x)))
        return (self.bn2(self.conv2(y)) + identity).relu_()


def basic_block_resnet(blocks, width, dilate):
    """conv1..layer4 with torchvision's stride-to-dilation rule: a dilated stage's first block keeps the previous dilation."""
    state = {"inplanes": width, "dilation": 1}

    def layer(planes, count, stride, use_dilation):
        previous = state["dilation"]
        if use_dilation:
            state["dilation"] *= stride
            stride = 1
        down = None
        if stride != 1 or state["inplanes"] != planes:
            down = nn.Sequential(nn.Conv2d(state["inplanes"], planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        mods = [DilatedBasicBlock(state["inplanes"], planes, stride, previous, down)]
        state["inplanes"] = planes
        mods += [DilatedBasicBlock(planes, planes, 1, state["dilation"], None) for _ in range(1, count)]
        return nn.Sequential(*mods)

    trunk = nn.Sequential(
        nn.Conv2d(3, width, 7, 2, 3, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1),
        layer(width, blocks[0], 1, False), layer(width * 2, blocks[1], 2, dilate[0]),
        layer(width * 4, blocks[2], 2, dilate[1]), layer(width * 8, blocks[3], 2, dilate[2]))
    for m in trunk.modules():   # torchvision's ResNet init
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    return trunk, width * 8


def backbone(cfg):
    dilate = DILATE[cfg["outputStride"]]
    name = cfg["backbone"]
    if name in ("resnet50", "resnet101"):
        resnet = getattr(torchvision.models, name)(weights=None, replace_stride_with_dilation=dilate)
        return nn.Sequential(*list(resnet.children())[:-2]), 2048   # drop avgpool, fc
    width = cfg["narrowWidth"] if name == "narrow" else 64
    return basic_block_resnet(BASIC_BLOCKS[name], width, dilate)


class SegmentationModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.backbone, channels = backbone(cfg)
        c = cfg["decoderChannels"]
        aspp = ASPP(channels, cfg["asppRates"], c)
        aspp.project[3].p = cfg["dropout"]   # torchvision hard-codes 0.5; tiny uses 0.1
        self.decoder = nn.Sequential(aspp, nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU())
        self.head = nn.Conv2d(c, cfg["embeddingDim"], 1)
        self.classification_head = nn.Conv2d(c, 1, 1, bias=False)
        if cfg["backbone"] == "mlnet-resnet18":
            std, mean = torch.tensor(IMAGENET_STD[::-1]), torch.tensor(IMAGENET_MEAN[::-1])
            self.register_buffer("to_input_scale", (255 * std).reshape(1, 3, 1, 1))
            self.register_buffer("to_input_offset", (255 * mean - torch.tensor(MLNET_MEAN_BGR)).reshape(1, 3, 1, 1))

    def early_layers(self):
        """The stem and layer1-2 (torchvision's children 0, 1, 4, 5), which model.freezeEarlyLayers freezes."""
        return [self.backbone[i] for i in (0, 1, 4, 5)]

    def forward(self, x):
        size = x.shape[-2:]
        if hasattr(self, "to_input_scale"):
            x = x.flip(1) * self.to_input_scale + self.to_input_offset
        f = self.decoder(self.backbone(x))                                                          # [B, C, h, w]
        emb = F.interpolate(self.head(f), size, mode="bilinear", align_corners=False)               # [B, D, H, W]
        sal = F.interpolate(self.classification_head(f), size, mode="bilinear", align_corners=False)  # [B, 1, H, W]
        return emb, sal.squeeze(1)


# ---- loss (method section 3) ----

def balanced_bce(logits, mask):
    """Weight w = background fraction on the foreground terms, 1 - w on the background terms, divided by all pixels."""
    y = (mask >= 0.5).float()
    n = y.numel()
    w = (n - y.sum()) / n
    log_p = -F.binary_cross_entropy_with_logits(logits, y, reduction="none")   # log sigma(x) or log(1 - sigma(x))
    return (w * -(y * log_p).sum() + (1 - w) * -((1 - y) * log_p).sum()) / n


def key_prototypes(emb_k, mask_k):
    b, d = emb_k.shape[:2]
    z = F.normalize(emb_k, dim=1).reshape(b, d, -1)                 # [B, D, HW]
    s = torch.bmm(z, mask_k.reshape(b, -1, 1).float()).squeeze(2)    # [B, D] sum inside the key mask
    return F.normalize(s, dim=1)


def contrastive(emb_q, mask_q, protos, queue, temperature):
    """Each foreground query pixel against [batch prototypes | queue]; its image's prototype is the positive."""
    b, d, h, w = emb_q.shape
    z = F.normalize(emb_q, dim=1).permute(0, 2, 3, 1).reshape(-1, d)   # [B*H*W, D]
    idx = (mask_q.reshape(-1) > 0.5).nonzero().squeeze(1)               # [P]
    labels = torch.div(idx, h * w, rounding_mode="floor")               # batch index of each pixel
    pix = z[idx]                                                        # [P, D]
    logits = torch.cat([pix @ protos.t(), pix @ queue], dim=1) / temperature   # [P, B+K]
    freq = torch.bincount(labels, minlength=logits.shape[1]).float() / max(1, labels.numel())
    weight = 1.0 / torch.log(1.02 + freq)                               # E-Net class weights
    return F.cross_entropy(logits, labels, weight=weight)


# ---- data: two views per image with torchvision transforms on PIL images (method section 4) ----

class PairSampler:
    def __init__(self, root, data, batch, seed):
        ids = open(os.path.join(root, "ImageSets/Segmentation/train.txt")).read().split()
        self.images = [Image.open(f"{root}/JPEGImages/{i}.jpg").convert("RGB") for i in ids]
        self.masks = [Image.fromarray((np.asarray(Image.open(f"{root}/saliency_gt/{i}.png").convert("L")) > 0)
                                      .astype(np.uint8)) for i in ids]
        self.d, self.batch, self.rng, self.order = data, batch, random.Random(seed), []
        self.size = data["cropSize"]
        self.scale, self.ratio = (data["cropScaleMin"], data["cropScaleMax"]), (data["cropRatioMin"], data["cropRatioMax"])
        self.jitter = T.RandomApply([T.ColorJitter(data["brightness"], data["contrast"], data["saturation"], data["hue"])],
                                    p=data["jitterProbability"])
        self.gray = T.RandomGrayscale(data["grayscaleProbability"])

    def view(self, img, mask):
        i, j, h, w = T.RandomResizedCrop.get_params(img, self.scale, self.ratio)   # same box for image and mask
        img = TF.resized_crop(img, i, j, h, w, [self.size] * 2, T.InterpolationMode.BILINEAR)
        mask = TF.resized_crop(mask, i, j, h, w, [self.size] * 2, T.InterpolationMode.NEAREST)
        img = self.gray(self.jitter(img))
        if random.random() < self.d["flipProbability"]:
            img, mask = TF.hflip(img), TF.hflip(mask)
        x = TF.normalize(TF.to_tensor(img), IMAGENET_MEAN, IMAGENET_STD)   # [3, S, S]
        return x, torch.from_numpy(np.array(mask, dtype=np.float32))       # [S, S] 0/1

    def pair(self, index):
        for attempt in range(1000):
            if attempt > 0 and attempt % self.d["viewTriesPerImage"] == 0:
                index = self.rng.randrange(len(self.images))
            key = self.view(self.images[index], self.masks[index])
            query = self.view(self.images[index], self.masks[index])
            if all(self.d["minForeground"] < m.mean().item() < self.d["maxForeground"] for m in (key[1], query[1])):
                return query, key
        raise RuntimeError("no view pair with an admissible foreground fraction")

    def build(self):
        if len(self.order) < self.batch:
            self.order = list(range(len(self.images)))
            self.rng.shuffle(self.order)
        slots, self.order = self.order[:self.batch], self.order[self.batch:]
        pairs = [self.pair(i) for i in slots]
        return [torch.stack([p[v][t] for p in pairs]) for v in (0, 1) for t in (0, 1)]   # xq, mq, xk, mk


# ---- the step (method sections 3 and 5) ----

def main():
    prepared = json.load(open(sys.argv[1]))
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    cfg = prepared["config"]
    m, o, s = cfg["moco"], cfg["optimizer"], cfg["schedule"]
    # This twin implements the official step only: refuse what it would silently leave out.
    unsupported = [k for k, v in (("optimizer.name", o.get("name", "sgd") != "sgd"),
                                  ("data.rotationDegrees", cfg["data"].get("rotationDegrees", 0) > 0),
                                  ("data.channelPermutationProbability", cfg["data"].get("channelPermutationProbability", 0) > 0),
                                  ("moco.saliencyLoss", m.get("saliencyLoss", "balanced") != "balanced")) if v]
    if unsupported:
        sys.exit(f"pytorch_step.py implements SGD, the official augmentation and the balanced saliency loss only; not: {', '.join(unsupported)}")
    torch.manual_seed(s["seed"])
    random.seed(s["seed"])

    model_q = SegmentationModel(cfg["model"]).train()
    model_k = copy.deepcopy(model_q).train()   # key encoder: an exact copy, never trained by SGD, batch statistics in BN
    for p in model_k.parameters():
        p.requires_grad = False
    if cfg["model"]["freezeEarlyLayers"]:   # frozen stem-layer2: BN in eval mode, no gradients (both encoders)
        for layer in model_q.early_layers() + model_k.early_layers():
            layer.eval()
            for p in layer.parameters():
                p.requires_grad = False
    queue = F.normalize(torch.randn(cfg["model"]["embeddingDim"], m["queueSize"]), dim=0)   # [D, K]
    ptr = 0
    sgd = torch.optim.SGD([p for p in model_q.parameters() if p.requires_grad], lr=o["learningRate"], momentum=o["momentum"],
                          weight_decay=o["weightDecay"], nesterov=o["nesterov"])
    sampler = PairSampler(prepared["dataset"], cfg["data"], s["batchSize"], s["seed"])

    build_ms, train_ms, phases = [], [], {}
    for step in range(warmup + steps):
        clock = [time.perf_counter()]

        def lap(phase):   # CPU ops are synchronous, so phase times are exact; same phases as `TrainingBench run --profile`
            clock.append(time.perf_counter())
            if step >= warmup:
                phases[phase] = phases.get(phase, 0.0) + 1000 * (clock[-1] - clock[-2])

        xq, mq, xk, mk = sampler.build()
        t1 = time.perf_counter()
        clock.append(t1)
        sgd.zero_grad()
        emb_q, sal_q = model_q(xq)
        lap("query forward")
        with torch.no_grad():   # momentum update before the key forward, parameters only
            for pk, pq in zip(model_k.parameters(), model_q.parameters()):
                pk.mul_(m["momentum"]).add_(pq.detach(), alpha=1 - m["momentum"])
            lap("momentum update")
            emb_k, _ = model_k(xk)
            protos = key_prototypes(emb_k, mk)   # [B, D]
            lap("key forward")
        loss = contrastive(emb_q, mq, protos, queue.clone(), m["temperature"]) + m["saliencyWeight"] * balanced_bce(sal_q, mq)
        lap("loss")
        loss.backward()
        lap("backward")
        sgd.step()
        lap("sgd")
        with torch.no_grad():   # enqueue: write the batch's prototypes at the pointer, wrap modulo K
            b = protos.shape[0]
            queue[:, ptr:ptr + b] = protos.t()
            ptr = (ptr + b) % queue.shape[1]
        loss.item()
        lap("enqueue")
        if step >= warmup:
            build_ms.append(1000 * (t1 - clock[0]))
            train_ms.append(1000 * (clock[-1] - t1))
    print(json.dumps({"impl": "pytorch", "config": prepared["name"],
                      "parameters": sum(p.numel() for p in model_q.parameters()), "threads": torch.get_num_threads(),
                      "interop_threads": torch.get_num_interop_threads(), "torch": torch.__version__,
                      "build_ms": build_ms, "train_ms": train_ms, "phases_ms": phases}))


if __name__ == "__main__":
    main()
