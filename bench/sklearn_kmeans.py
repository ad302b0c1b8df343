#!/usr/bin/python3
"""sklearn_kmeans.py: the "theirs" side of bench/compare.sh's K-means row.

scikit-learn's KMeans (lloyd, k-means++ seeding, n_init restarts, max_iter 300, tol 1e-4)
on a codes matrix read from a .npy file (n x m, float32 kept as float32), with the given
number of threads (threadpoolctl when available, and OMP_NUM_THREADS / OPENBLAS_NUM_THREADS
set before numpy or scikit-learn load). Prints one key=value line: seconds of the fit alone
(not the file read), the inertia of the kept run and its iterations.

Run it with Debian's interpreter (/usr/bin/python3), which sees python3-sklearn.

Copyright 2026 The Clusterscope authors
SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import os
import sys
import time


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("codes", help="n x m .npy (float32 or float64)")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--n-init", type=int, default=10)
    p.add_argument("--max-iter", type=int, default=300)
    p.add_argument("--tol", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    if a.threads < 1:
        p.error("--threads must be at least 1")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(a.threads)

    import numpy as np
    from sklearn.cluster import KMeans

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None

    x = np.load(a.codes)
    if x.ndim != 2:
        raise SystemExit("%s: expected a 2-D array, got shape %s" % (a.codes, x.shape))
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float32)
    x = np.ascontiguousarray(x)

    km = KMeans(n_clusters=a.k, n_init=a.n_init, init="k-means++", max_iter=a.max_iter,
                tol=a.tol, random_state=a.seed, algorithm="lloyd")
    t0 = time.perf_counter()
    if threadpool_limits is not None:
        with threadpool_limits(limits=a.threads):
            km.fit(x)
    else:
        km.fit(x)
    seconds = time.perf_counter() - t0
    print("sklearn kmeans n=%d d=%d k=%d n_init=%d threads=%d seconds=%.3f inertia=%.10g n_iter=%d"
          % (x.shape[0], x.shape[1], a.k, a.n_init, a.threads, seconds, km.inertia_, km.n_iter_),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
