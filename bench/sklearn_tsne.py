#!/usr/bin/python3
"""sklearn_tsne.py: scikit-learn's t-SNE on a run's codes, beside bench-tsne.

Reads the z_* columns of a labels.csv (a run folder's), runs sklearn.manifold.TSNE
(Barnes-Hut, perplexity 30, PCA start, the given iterations and angle, fixed seed) with the
given number of threads, and prints the seconds of the fit alone and the layout's 10-NN recall:
the share of each point's 10 nearest neighbours among the codes that are also among its 10
nearest in 2-D, as bench-tsne computes it (exact neighbours, the point itself left out).

Run it with Debian's interpreter (/usr/bin/python3), which sees python3-sklearn.

Copyright 2026 The Clusterscope authors
SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import os
import sys
import time


def recall(codes, layout, k, np, NearestNeighbors):
    a = NearestNeighbors(n_neighbors=k + 1).fit(codes).kneighbors(codes, return_distance=False)
    b = NearestNeighbors(n_neighbors=k + 1).fit(layout).kneighbors(layout, return_distance=False)
    hits = 0
    for i in range(codes.shape[0]):
        hits += len((set(a[i]) - {i}) & (set(b[i]) - {i}))
    return hits / (k * codes.shape[0])


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("labels", help="a run folder's labels.csv (with z_ columns)")
    p.add_argument("--iterations", type=int, default=1000)
    p.add_argument("--angle", type=float, default=0.5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(a.threads)
    import numpy as np
    from sklearn.manifold import TSNE
    from sklearn.neighbors import NearestNeighbors

    with open(a.labels) as f:
        header = f.readline().strip().split(",")
    cols = [i for i, name in enumerate(header) if name.startswith("z_")]
    if not cols:
        sys.exit(f"{a.labels}: no z_ columns")
    codes = np.loadtxt(a.labels, delimiter=",", skiprows=1, usecols=cols, dtype=np.float32)
    tsne = TSNE(n_components=2, perplexity=30.0, n_iter=a.iterations, angle=a.angle,
                init="pca", learning_rate="auto", random_state=a.seed, n_jobs=a.threads)
    t0 = time.monotonic()
    layout = tsne.fit_transform(codes)
    seconds = time.monotonic() - t0
    print(f"sklearn tsne n={codes.shape[0]} threads={a.threads} iterations={a.iterations} "
          f"angle={a.angle}: {seconds:.2f} s, 10-NN recall "
          f"{recall(codes, layout, 10, np, NearestNeighbors):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
