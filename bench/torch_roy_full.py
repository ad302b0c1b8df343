#!/usr/bin/python3
"""A whole `roy` run in PyTorch + scikit-learn, to compare clustering quality on this machine.

Fashion-MNIST test (10 000 images), the defaults of DESIGN.md: the autoencoder of
torch_epoch.py (Glorot uniform, zero biases), Adam 1e-3, batch 256, 50 pretraining epochs,
K-means (k-means++, n_init 10) on all codes, then 50 clustering epochs with a fresh Adam,
centroids frozen inside an epoch and re-initialised by K-means on all codes after every epoch
(R = 1). Prints ACC / NMI / ARI after pretraining and after every clustering epoch, measured
on the K-means labels of that epoch, as the engine does.

    /usr/bin/python3 bench/torch_roy_full.py --seed 0 [--threads 2] [--pretrain 50] [--epochs 50]

Copyright 2026 The Clusterscope authors
SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import gzip
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_epoch  # noqa: E402  (the same network and K-means helper)


def read_labels(path):
    import numpy as np

    with gzip.open(path, "rb") as f:
        raw = f.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)


def scores(truth, pred):
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    k = max(pred.max(), truth.max()) + 1
    table = np.zeros((k, k), dtype=np.int64)
    np.add.at(table, (pred, truth), 1)
    rows, cols = linear_sum_assignment(-table)
    acc = table[rows, cols].sum() / truth.size
    return acc, normalized_mutual_info_score(truth, pred), adjusted_rand_score(truth, pred)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pretrain", type=int, default=50)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--fashion-dir", default=torch_epoch.FASHION_DIR)
    a = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)

    import numpy as np
    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_np = (torch_epoch.read_idx_images(os.path.join(a.fashion_dir, "t10k-images-idx3-ubyte.gz"))
            .astype(np.float32) / np.float32(255.0))
    y = read_labels(os.path.join(a.fashion_dir, "t10k-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(np.ascontiguousarray(x_np))
    n, d = x.shape
    encoder, decoder = torch_epoch.build_model(d, 10)
    params = list(encoder.parameters()) + list(decoder.parameters())

    def run_epoch(opt, centroids):
        perm = torch.randperm(n)
        for s in range(0, n, 256):
            xb = x[perm[s:s + 256]]
            z = encoder(xb)
            loss = ((decoder(z) - xb) ** 2).sum(dim=1).mean()
            if centroids is not None:
                dist = ((z.unsqueeze(1) - centroids.unsqueeze(0)) ** 2).sum(dim=2)
                g = torch.softmax(-1000.0 * (dist - dist.min(dim=1, keepdim=True).values.detach()),
                                  dim=1)
                loss = loss + (g * dist).sum(dim=1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    opt = torch.optim.Adam(params, lr=1e-3)
    for _ in range(a.pretrain):
        run_epoch(opt, None)
    codes = torch_epoch.encode_all(encoder, x, 10000).numpy()
    km = torch_epoch.kmeans(codes, 10, 10, a.seed, a.threads)
    print("pretrained acc=%.4f nmi=%.4f ari=%.4f" % scores(y, km.labels_), flush=True)

    opt = torch.optim.Adam(params, lr=1e-3)
    for e in range(1, a.epochs + 1):
        centroids = torch.from_numpy(km.cluster_centers_.astype(np.float32))
        run_epoch(opt, centroids)
        codes = torch_epoch.encode_all(encoder, x, 10000).numpy()
        km = torch_epoch.kmeans(codes, 10, 10, a.seed + e, a.threads)
        print("epoch %d acc=%.4f nmi=%.4f ari=%.4f" % ((e,) + scores(y, km.labels_)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
