#!/usr/bin/python3
"""PyTorch/scikit-learn side of bench/run-segment-bench.sh (issue 3 benchmark).

  pytorch_segment.py segment <model.json> <images>   eval forward at the same size with the same network (the model
                                                      twin of ../TrainingBench/pytorch_step.py), JPEG decode with PIL,
                                                      prototype; images/s as one JSON line
  pytorch_segment.py cluster <prototypes.json>        scikit-learn PCA(32, whiten) + KMeans(n_init=10) time and inertia,
                                                      cold (first fit in the process) and warm (the same fit again)
  pytorch_segment.py ratio <ours> <theirs>            the two cluster JSON lines -> one line of ratios (ours faster > 1)
"""
import io, json, os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "TrainingBench"))


def segment(path, count):
    import numpy as np, torch, torch.nn.functional as F
    from PIL import Image
    from pytorch_step import SegmentationModel, IMAGENET_MEAN, IMAGENET_STD
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    spec = json.load(open(path))
    size = spec["size"]
    torch.manual_seed(1)
    model = SegmentationModel(spec["model"]).eval()
    rng = np.random.default_rng(3)
    jpegs = []
    for _ in range(count + 1):
        buf = io.BytesIO()
        Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(buf, "JPEG", quality=95)
        jpegs.append(buf.getvalue())
    mean, std = torch.tensor(IMAGENET_MEAN).view(3, 1, 1), torch.tensor(IMAGENET_STD).view(3, 1, 1)

    def one(data):
        img = Image.open(io.BytesIO(data)).convert("RGB")
        x = (torch.from_numpy(np.array(img)).permute(2, 0, 1).float() / 255 - mean) / std
        with torch.no_grad():
            emb, sal = model(x.unsqueeze(0))
            w = sal * (sal > 0.5)
            F.normalize((emb * w.unsqueeze(1)).sum((2, 3)), dim=1)
            (sal[0] > 0.5).to(torch.uint8).numpy()

    one(jpegs[0])
    start = time.perf_counter()
    for data in jpegs[1:]:
        one(data)
    seconds = time.perf_counter() - start
    print(json.dumps({"side": "pytorch", "size": size, "images": count, "imagesPerSecond": count / seconds, "msPerImage": 1000 * seconds / count}))


def cluster(path):
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    spec = json.load(open(path))
    x = np.asarray(spec["prototypes"], dtype=np.float64)

    def fit():
        start = time.perf_counter()
        z = PCA(n_components=min(32, x.shape[1]), whiten=True).fit_transform(x)
        km = KMeans(n_clusters=spec["k"], n_init=10, random_state=1234).fit(z)
        return time.perf_counter() - start, km.inertia_

    cold, _ = fit()
    seconds, inertia = fit()
    print(json.dumps({"side": "sklearn", "n": x.shape[0], "k": spec["k"], "coldSeconds": cold, "seconds": seconds, "inertia": inertia}))


def ratio(ours, theirs):
    a, b = json.loads(ours), json.loads(theirs)
    print(json.dumps({"ratio": "sklearn/ours", "n": a["n"], "k": a["k"], "warm": round(b["seconds"] / a["seconds"], 2),
                      "cold": round(b["coldSeconds"] / a["coldSeconds"], 2),
                      "inertiaDifferencePercent": round(100 * (a["inertia"] / b["inertia"] - 1), 3)}))


if __name__ == "__main__":
    {"segment": lambda: segment(sys.argv[2], int(sys.argv[3])), "cluster": lambda: cluster(sys.argv[2]),
     "ratio": lambda: ratio(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
