#!/usr/bin/python3
"""Posterior-mean speed: Go (package analytic) against NumPy and PyTorch.

The computation is the ideal denoiser of a point set
(lessons/02-ideal-denoiser.md section 4):
for N = 10 000 query points x and K = 1 000 data points x_i in 2-D at
alpha = 0.5,

    pi_i(x) = softmax_i( -||x - sqrt(alpha) x_i||^2 / (2 (1 - alpha)) )
    D*(x)   = sum_i pi_i(x) x_i,

with a log-sum-exp (max-subtracted) softmax. Speed is counted in
point-component pairs per second (N*K per evaluation). The references run
vectorised in NumPy (float64) and PyTorch (float64 and float32, 1 and 2
threads; two formulations each, the best kept); the Go benchmark
BenchmarkPosteriorMean of ./analytic runs in the same invocation through
`go test`. Every figure is the best of several timed repetitions: 7 single
evaluations for each reference, --count runs of two evaluations for Go.

Needs numpy and torch (Debian: python3-numpy, python3-torch; run with the
system interpreter, /usr/bin/python3) and a Go toolchain on PATH.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

try:
    import numpy as np
    import torch
except ImportError as e:  # name what is missing instead of a bare traceback
    sys.exit(f"posterior_mean.py: {e}; install python3-numpy and python3-torch "
             "and run with the system python3")

N, K, D = 10_000, 1_000, 2
ALPHA = 0.5
REPO = Path(__file__).resolve().parent.parent  # bench/ lives at the repository root


def data(seed=7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D)), rng.standard_normal((K, D))


# ---- NumPy -----------------------------------------------------------------

def numpy_direct(x, p):
    s, v = np.sqrt(ALPHA), 1 - ALPHA
    diff = x[:, None, :] - s * p[None, :, :]
    logits = -(diff * diff).sum(axis=2) / (2 * v)
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return (w @ p) / w.sum(axis=1, keepdims=True)


def numpy_matmul(x, p):
    # ||x - s p||^2 = ||x||^2 - 2 s x.p + s^2 ||p||^2; the ||x||^2 term is
    # constant per row and cancels in the softmax.
    s, v = np.sqrt(ALPHA), 1 - ALPHA
    logits = (s * (x @ p.T) - 0.5 * ALPHA * (p * p).sum(axis=1)[None, :]) / v
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return (w @ p) / w.sum(axis=1, keepdims=True)


# ---- PyTorch ---------------------------------------------------------------

def torch_direct(x, p):
    s, v = ALPHA ** 0.5, 1 - ALPHA
    logits = -torch.cdist(x, s * p).square_() / (2 * v)
    return torch.softmax(logits, dim=1) @ p


def torch_matmul(x, p):
    s, v = ALPHA ** 0.5, 1 - ALPHA
    logits = torch.addmm((-0.5 * ALPHA / v) * (p * p).sum(dim=1)[None, :], x, p.T, alpha=s / v)
    return torch.softmax(logits, dim=1) @ p


def best_rate(f, *args, reps=7):
    """Pairs per second of the fastest of reps timed calls after one warm-up."""
    f(*args)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        f(*args)
        best = min(best, time.perf_counter() - t0)
    return N * K / best


def go_rate(count):
    """Best pairs/s over count runs of the Go benchmark (two evaluations each)."""
    # Runs of two evaluations each (about as long as one timed NumPy call),
    # the best kept: the same rule as best_rate, so that a busy machine
    # hits both sides alike.
    cmd = ["go", "test", "-run", "^$", "-bench", "^BenchmarkPosteriorMean$",
           "-benchtime", "2x", "-count", str(count), "./analytic/"]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"posterior_mean.py: {' '.join(cmd)} failed:\n{out.stdout}{out.stderr}")
    rates = [float(r) for r in re.findall(r"([0-9.e+]+) pairs/s", out.stdout)]
    if not rates:
        sys.exit(f"posterior_mean.py: no pairs/s in the go test output:\n{out.stdout}")
    cpu = re.search(r"BenchmarkPosteriorMean-(\d+)", out.stdout)
    return max(rates), (cpu.group(1) if cpu else "1")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=15, help="runs of the Go benchmark, two evaluations each (best kept)")
    args = ap.parse_args()

    load_start = os.getloadavg()
    xn, pn = data()
    # The two formulations agree (a check that the references compute the same thing).
    ref = numpy_direct(xn, pn)
    assert np.allclose(numpy_matmul(xn, pn), ref, rtol=0, atol=1e-9)
    xt, pt = torch.from_numpy(xn), torch.from_numpy(pn)
    assert np.allclose(torch_matmul(xt, pt).numpy(), ref, rtol=0, atol=1e-9)
    assert np.allclose(torch_direct(xt, pt).numpy(), ref, rtol=0, atol=1e-9)

    rows = []
    rows.append(("NumPy float64",
                 max(best_rate(numpy_direct, xn, pn), best_rate(numpy_matmul, xn, pn))))
    for dtype, name in ((torch.float64, "float64"), (torch.float32, "float32")):
        x, p = xt.to(dtype), pt.to(dtype)
        for threads in (1, 2):
            torch.set_num_threads(threads)
            with torch.inference_mode():
                r = max(best_rate(torch_direct, x, p), best_rate(torch_matmul, x, p))
            rows.append((f"PyTorch {name}, {threads} thread{'s' if threads > 1 else ''}", r))
    go, procs = go_rate(args.count)

    load_end = os.getloadavg()
    best_torch = max(r for name, r in rows if name.startswith("PyTorch"))
    numpy_rate = next(r for name, r in rows if name.startswith("NumPy"))
    print(f"posterior mean, N = {N} queries x K = {K} points, d = {D}, alpha = {ALPHA}")
    print(f"numpy {np.__version__}, torch {torch.__version__}, {os.cpu_count()} CPUs, Go GOMAXPROCS {procs}")
    print(f"load average (1, 5, 15 min): {load_start[0]:.1f} {load_start[1]:.1f} {load_start[2]:.1f} at the start, "
          f"{load_end[0]:.1f} {load_end[1]:.1f} {load_end[2]:.1f} at the end\n")
    print(f"| {'implementation':<28} | {'M pairs/s':>10} | {'Go / this':>9} |")
    print(f"|{'-' * 30}|{'-' * 12}|{'-' * 11}|")
    print(f"| {'Go analytic (float64)':<28} | {go / 1e6:>10.1f} | {1:>9.2f} |")
    for name, r in rows:
        print(f"| {name:<28} | {r / 1e6:>10.1f} | {go / r:>9.2f} |")
    print(f"\nGo / NumPy = {go / numpy_rate:.2f} (target >= 8), Go / best PyTorch = {go / best_torch:.2f} (target >= 15)")


if __name__ == "__main__":
    main()
