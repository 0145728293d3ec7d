#!/usr/bin/python3
"""Writes the golden files for the Evaluation tests (PCA and k-means against scikit-learn).

Run once with Debian's python (apt-get install python3-sklearn):  /usr/bin/python3 make_golden.py
The data are generated here, rounded to 5 decimals *before* fitting so the C# tests see exactly the data that
scikit-learn saw. Output: kmeans_blobs.json, kmeans_uniform.json, prototypes_pca_kmeans.json (each < 100 KB).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA

HERE = os.path.dirname(os.path.abspath(__file__))
MBK_SEEDS = [1234, 1235, 1236, 1237, 1238]  # the official protocol's seeds


def r(a, decimals=5):
    return np.round(np.asarray(a, dtype=np.float64), decimals)


def kmeans_reference(x, k):
    """sklearn inertia: KMeans(n_init=10) for the seeds above, and the official MiniBatchKMeans setting."""
    full = [float(KMeans(n_clusters=k, n_init=10, random_state=s).fit(x).inertia_) for s in MBK_SEEDS]
    mini = [float(MiniBatchKMeans(n_clusters=k, batch_size=1000, n_init=3, random_state=s).fit(x).inertia_)
            for s in MBK_SEEDS]
    return {"k": k, "kmeans_n_init10_inertia": full, "minibatch_official_inertia": mini}


def write(name, payload):
    payload["generator"] = f"make_golden.py, scikit-learn {sklearn.__version__}, numpy {np.__version__}"
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


def main():
    # 1. Well separated blobs: every decent k-means finds the same optimum.
    x, _ = make_blobs(n_samples=300, n_features=8, centers=6, cluster_std=1.5, random_state=0)
    x = r(x)
    write("kmeans_blobs.json", {"rows": x.shape[0], "cols": x.shape[1], "data": x.ravel().tolist(),
                                **kmeans_reference(x, 6)})

    # 2. Uniform noise: no structure, many local minima; the hardest case for "within 1 %".
    rng = np.random.default_rng(7)
    x = r(rng.uniform(-1, 1, size=(300, 6)))
    write("kmeans_uniform.json", {"rows": x.shape[0], "cols": x.shape[1], "data": x.ravel().tolist(),
                                  **kmeans_reference(x, 10)})

    # 3. Protocol-like: unit-norm image prototypes from 20 class directions + noise, PCA whitened, 20 clusters.
    rng = np.random.default_rng(11)
    n, d, classes = 256, 16, 20
    directions = rng.normal(size=(classes, d))
    labels = rng.integers(0, classes, size=n)
    protos = directions[labels] + 0.8 * rng.normal(size=(n, d))
    protos /= np.linalg.norm(protos, axis=1, keepdims=True)
    protos = r(protos)
    pca = PCA(n_components=d, whiten=True, svd_solver="full")
    white = pca.fit_transform(protos)
    pca8 = PCA(n_components=8, whiten=True, svd_solver="full")
    white8 = pca8.fit_transform(protos)
    write("prototypes_pca_kmeans.json", {
        "rows": n, "cols": d, "data": protos.ravel().tolist(),
        "pca_mean": r(pca.mean_, 10).tolist(),
        "pca_components": r(pca.components_, 10).ravel().tolist(),
        "pca_explained_variance": r(pca.explained_variance_, 10).tolist(),
        "pca_explained_variance_ratio": r(pca.explained_variance_ratio_, 10).tolist(),
        "pca_whitened_first_rows": r(white[:16], 8).ravel().tolist(),
        "pca8_components": r(pca8.components_, 10).ravel().tolist(),
        "pca8_whitened_first_rows": r(white8[:16], 8).ravel().tolist(),
        **kmeans_reference(white, classes),
    })


if __name__ == "__main__":
    main()
