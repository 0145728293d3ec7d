"""Writes the golden files the C# tests compare against. Run once with Debian's python3-torch:
    apt-get install -y --no-install-recommends python3-torch python3-torchvision
    /usr/bin/python3 tests/MaskContrast.Tests/Golden/make_golden.py
The model twin is built from torchvision's own modules in the structure of the official
pretrain/modules/models.py (ContrastiveSegmentationModel with DeepLabHead); the loss follows the official computation
(label trick, bmm prototypes, cross_entropy with E-Net weights, astmt balanced BCE) with PyTorch's own functions.
"""
import json, os, torch, torch.nn as nn, torch.nn.functional as F, torchvision
from torchvision.models.segmentation.deeplabv3 import DeepLabHead

here = os.path.dirname(os.path.abspath(__file__))

# --- official key names and shapes of one encoder (paper model) ---
class Twin(nn.Module):
    def __init__(self):
        super().__init__()
        r = torchvision.models.resnet50(replace_stride_with_dilation=[False, True, True])
        self.backbone = nn.Sequential()
        for name in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"]:
            self.backbone.add_module(name, getattr(r, name))
        self.decoder = DeepLabHead(2048, 32)
        self.head = self.decoder[4]
        self.decoder[4] = nn.Identity()
        self.classification_head = nn.Conv2d(256, 1, 1, bias=False)

twin = Twin()
with open(os.path.join(here, "paper_model_keys.txt"), "w") as f:
    for k, v in twin.state_dict().items():
        f.write(f"{k} {list(v.shape)}\n")

# --- loss on a small fixed case ---
g = torch.Generator().manual_seed(7)
B, D, H, W, K, T = 2, 4, 3, 3, 4, 0.5
emb_q = torch.randn(B, D, H, W, generator=g)
sal_q = torch.randn(B, H, W, generator=g)
mask_q = (torch.rand(B, H, W, generator=g) > 0.4).long()
emb_k = torch.randn(B, D, H, W, generator=g)
mask_k = (torch.rand(B, H, W, generator=g) > 0.5).long()
queue = F.normalize(torch.randn(D, K, generator=g), dim=0)

q = F.normalize(emb_q, dim=1)
offset = torch.arange(0, 2 * B, 2)
label_trick = (((mask_q + offset.view(B, 1, 1)) * mask_q).view(-1)) // 2   # official target trick
fg = mask_q.view(-1) == 1
labels = label_trick[fg]
q_sel = q.permute(0, 2, 3, 1).reshape(-1, D)[fg]
k = F.normalize(emb_k, dim=1).reshape(B, D, -1)
proto = F.normalize(torch.bmm(k, mask_k.reshape(B, -1, 1).float()).squeeze(-1), dim=1)
logits = torch.cat([q_sel @ proto.t(), q_sel @ queue], dim=1) / T
uniq, freq = torch.unique(labels, return_counts=True)
p_class = torch.zeros(logits.shape[1])
p_class[uniq] = freq.float() / labels.numel()
w_class = 1 / torch.log(1.02 + p_class)
con = F.cross_entropy(logits, labels, weight=w_class, reduction="mean")

y = (mask_q >= 0.5).float()
w = (1 - y).sum() / y.numel()
gz = (sal_q >= 0).float()
lv = sal_q * (y - gz) - torch.log(1 + torch.exp(sal_q - 2 * sal_q * gz))
sal = (w * (-(y * lv)).sum() + (1 - w) * (-((1 - y) * lv)).sum()) / y.numel()

lst = lambda t: t.reshape(-1).tolist()
json.dump({
    "B": B, "D": D, "H": H, "W": W, "K": K, "T": T,
    "embQ": lst(emb_q), "salQ": lst(sal_q), "maskQ": lst(mask_q.float()), "embK": lst(emb_k), "maskK": lst(mask_k.float()),
    "queue": lst(queue),
    "labels": labels.tolist(), "prototypes": lst(proto), "enetWeights": lst(w_class),
    "contrastive": con.item(), "saliency": sal.item(), "total": (con + sal).item(),
}, open(os.path.join(here, "loss_case.json"), "w"), indent=1)
print("wrote", os.listdir(here))

# --- small weight files in the formats users bring (narrow ResNet of width 4, our "narrow" backbone) ---
def narrow_state_dict(w, gen):
    sd = {}
    def conv(name, o, i, k): sd[name + ".weight"] = torch.randn(o, i, k, k, generator=gen)
    def bn(name, c):
        sd[name + ".weight"] = torch.randn(c, generator=gen); sd[name + ".bias"] = torch.randn(c, generator=gen)
        sd[name + ".running_mean"] = torch.randn(c, generator=gen); sd[name + ".running_var"] = torch.rand(c, generator=gen) + 0.5
        sd[name + ".num_batches_tracked"] = torch.tensor(5)
    conv("conv1", w, 3, 7); bn("bn1", w)
    inp = w
    for li, planes in enumerate([w, 2 * w, 4 * w, 8 * w], 1):
        p = f"layer{li}.0"
        conv(p + ".conv1", planes, inp, 3); bn(p + ".bn1", planes); conv(p + ".conv2", planes, planes, 3); bn(p + ".bn2", planes)
        if li > 1:
            conv(p + ".downsample.0", planes, inp, 1); bn(p + ".downsample.1", planes)
        inp = planes
    return sd

g = torch.Generator().manual_seed(11)
tv = narrow_state_dict(4, g)
tv["fc.weight"] = torch.randn(10, 32, generator=g); tv["fc.bias"] = torch.randn(10, generator=g)
torch.save(tv, os.path.join(here, "torchvision_narrow4.pth"))
moco = {"module.encoder_q." + k: v.clone() * 2 for k, v in tv.items()}
moco["module.encoder_k.conv1.weight"] = torch.zeros(4, 3, 7, 7)
torch.save({"epoch": 800, "arch": "narrow", "state_dict": moco, "optimizer": {}}, os.path.join(here, "moco_narrow4.pth.tar"))
json.dump({"conv1Sum": tv["conv1.weight"].sum().item(), "layer4Conv2Sum": tv["layer4.0.conv2.weight"].sum().item(),
           "bn1RunningVarSum": tv["bn1.running_var"].sum().item()},
          open(os.path.join(here, "narrow4_sums.json"), "w"), indent=1)
print("wrote weight fixtures")
