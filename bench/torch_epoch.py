#!/usr/bin/python3
"""torch_epoch.py: the "theirs" side of bench/compare.sh -- Clusterscope's epoch in PyTorch.

The same autoencoder as the engine (d-500-500-2000-10, ReLU hidden layers, linear code and
output, Glorot-uniform weights, zero biases), Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8),
batch 256, the same loss (per-sample squared error summed over features, averaged over the
batch, plus lambda * mean_i sum_k G_ik d_ik with G = softmax(-alpha (d - min d)), alpha 1000,
lambda 1), on Fashion-MNIST train + test (70 000, train first, the engine's order), read from
Debian's gzip files with gzip + numpy and scaled by 1/255 in float32.

Modes (one machine-readable line on stdout, key=value, seconds in wall-clock time):
  pretrain  one epoch of reconstruction training in shuffled batches.
  roy       one clustering epoch: a training pass with the clustering loss against fixed
            centroids, the encoding of every point in large blocks under torch.no_grad(),
            and scikit-learn KMeans(n_clusters=10, n_init=10, init='k-means++') on the codes.
            The fixed centroids come, untimed, from the network given with --load-state (a
            pretrain run's --save-state) or from a fresh one: codes of all points, then
            KMeans with n_init=1 -- as the engine does before its first clustering epoch.
  npy       no training: writes the first --n samples as a float32 .npy (--out), so the
            engine can run on exactly the same subset. Needs numpy only.

Run it with Debian's interpreter (/usr/bin/python3), which sees python3-torch / python3-sklearn.

Copyright 2026 The Clusterscope authors
SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import gzip
import os
import sys
import time

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FULL_N = 70000


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=["pretrain", "roy", "npy"])
    p.add_argument("--n", type=int, default=FULL_N,
                   help="samples: the first N of train + test (default 70000)")
    p.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--n-init", type=int, default=10, help="KMeans restarts in roy (default 10)")
    p.add_argument("--embedding-dim", type=int, default=10)
    p.add_argument("--alpha", type=float, default=1000.0)
    p.add_argument("--lambda", dest="lam", type=float, default=1.0)
    p.add_argument("--encode-block", type=int, default=10000,
                   help="rows per block when encoding every point (default 10000)")
    p.add_argument("--fashion-dir", default=FASHION_DIR)
    p.add_argument("--save-state", metavar="FILE",
                   help="pretrain: save the model and optimiser state after the epoch")
    p.add_argument("--load-state", metavar="FILE",
                   help="roy: start from a saved state (default: a fresh network)")
    p.add_argument("--save-codes", metavar="FILE",
                   help="after the epoch, write the codes of all N points (float32 .npy); "
                        "untimed")
    p.add_argument("--out", metavar="FILE", help="npy: where to write the data")
    a = p.parse_args(argv)
    if not 1 <= a.n <= FULL_N:
        p.error("--n must be in [1, %d]" % FULL_N)
    if a.threads < 1:
        p.error("--threads must be at least 1")
    if a.mode == "npy" and not a.out:
        p.error("npy needs --out")
    return a


def read_idx_images(path):
    import numpy as np

    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw, dtype=">u4", count=4)
    if magic != 0x803:
        raise SystemExit("%s: not an idx3 file (magic %#x)" % (path, magic))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(int(n), int(rows) * int(cols))


def load_fashion(directory, n):
    """Train followed by test, the first n rows, float32 in [0, 1]; and the seconds it took
    to read and scale all 70 000 (the load the engine's `fashion-mnist` spec does)."""
    import numpy as np

    t0 = time.perf_counter()
    parts = [read_idx_images(os.path.join(directory, name))
             for name in ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz")]
    x = np.concatenate(parts).astype(np.float32) / np.float32(255.0)
    load_s = time.perf_counter() - t0
    return np.ascontiguousarray(x[:n]), load_s


def build_model(d, m):
    import torch
    from torch import nn

    dims = [d, 500, 500, 2000]

    def stack(sizes, last_linear):
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i + 2 < len(sizes) or not last_linear:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    encoder = stack(dims + [m], True)
    decoder = stack([m] + dims[::-1], True)
    for mod in list(encoder) + list(decoder):
        if isinstance(mod, nn.Linear):
            nn.init.xavier_uniform_(mod.weight)
            nn.init.zeros_(mod.bias)
    return encoder, decoder


def encode_all(encoder, x, block):
    import torch

    out = []
    with torch.no_grad():
        for s in range(0, x.shape[0], block):
            out.append(encoder(x[s:s + block]))
    return torch.cat(out)


def kmeans(codes, k, n_init, seed, threads):
    from sklearn.cluster import KMeans

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the environment variables set in main() still apply
        threadpool_limits = None
    km = KMeans(n_clusters=k, n_init=n_init, init="k-means++", random_state=seed)
    if threadpool_limits is not None:
        with threadpool_limits(limits=threads):
            km.fit(codes)
    else:
        km.fit(codes)
    return km


def main(argv):
    a = parse_args(argv)
    # Before numpy / torch / sklearn load their thread pools.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)

    import numpy as np

    x_np, load_s = load_fashion(a.fashion_dir, a.n)
    n, d = x_np.shape
    if a.mode == "npy":
        np.save(a.out, x_np)
        print("numpy npy n=%d d=%d load=%.3f out=%s" % (n, d, load_s, a.out))
        return 0

    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = torch.from_numpy(x_np)
    encoder, decoder = build_model(d, a.embedding_dim)
    params = list(encoder.parameters()) + list(decoder.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    if a.load_state:
        state = torch.load(a.load_state)
        if state["n_features"] != d or state["embedding_dim"] != a.embedding_dim:
            raise SystemExit("%s: saved for d=%d, m=%d" % (a.load_state, state["n_features"],
                                                           state["embedding_dim"]))
        encoder.load_state_dict(state["encoder"])
        decoder.load_state_dict(state["decoder"])
        opt.load_state_dict(state["optimizer"])

    centroids = None
    if a.mode == "roy":
        # Untimed: the centroids the epoch trains against, as after pretraining.
        codes0 = encode_all(encoder, x, a.encode_block).numpy()
        centroids = torch.from_numpy(
            kmeans(codes0, a.k, 1, a.seed, a.threads).cluster_centers_.astype(np.float32))

    bs = a.batch_size
    rec_sum = clu_sum = 0.0
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    for s in range(0, n, bs):
        xb = x[perm[s:s + bs]]
        z = encoder(xb)
        xhat = decoder(z)
        loss_rec = ((xhat - xb) ** 2).sum(dim=1).mean()
        loss = loss_rec
        if centroids is not None:
            dist = ((z.unsqueeze(1) - centroids.unsqueeze(0)) ** 2).sum(dim=2)  # B x K
            shifted = dist - dist.min(dim=1, keepdim=True).values.detach()
            g = torch.softmax(-a.alpha * shifted, dim=1)
            loss_clu = (g * dist).sum(dim=1).mean()
            loss = loss_rec + a.lam * loss_clu
            clu_sum += loss_clu.item() * xb.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        rec_sum += loss_rec.item() * xb.shape[0]
    t1 = time.perf_counter()
    train_s = t1 - t0

    line = "torch %s n=%d threads=%d seed=%d load=%.3f" % (a.mode, n, a.threads, a.seed, load_s)
    codes = None
    if a.mode == "roy":
        codes = encode_all(encoder, x, a.encode_block).numpy()
        t2 = time.perf_counter()
        km = kmeans(codes, a.k, a.n_init, a.seed, a.threads)
        t3 = time.perf_counter()
        line += (" train=%.3f encode=%.3f kmeans=%.3f seconds=%.3f loss_rec=%.4f loss_clu=%.4f"
                 " inertia=%.6g kmeans_iter=%d"
                 % (train_s, t2 - t1, t3 - t2, t3 - t0, rec_sum / n, clu_sum / n, km.inertia_,
                    km.n_iter_))
    else:
        line += " seconds=%.3f loss_rec=%.4f" % (train_s, rec_sum / n)

    if a.save_codes:
        if codes is None:
            codes = encode_all(encoder, x, a.encode_block).numpy()
        np.save(a.save_codes, np.ascontiguousarray(codes, dtype=np.float32))
    if a.save_state:
        torch.save({"encoder": encoder.state_dict(), "decoder": decoder.state_dict(),
                    "optimizer": opt.state_dict(), "n_features": d,
                    "embedding_dim": a.embedding_dim}, a.save_state)
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
