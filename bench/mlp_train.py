#!/usr/bin/env python3
"""Training-step speed of toy/nn against PyTorch on the canonical workload.

Workload (issue 4): 2-D x plus a 16-dim sinusoidal time embedding of
log sigma, 3 hidden layers of width W with SiLU, 2 outputs, x0 loss, Adam
lr 1e-3, batch B; one step = draw x0, t, eps, forward, backward, Adam.
PyTorch runs in float32 with 1 and with 2 threads (the better counts); the
Go side is `go test -bench BenchmarkTrainStep ./toy/nn`, run here as a
subprocess, in the default pure-Go build and (with --simd) the
GOEXPERIMENT=simd build. Prints steps/s and the ratio Go / PyTorch.

Run with Debian's python3-torch and Go on the PATH (from anywhere):
    /usr/bin/python3 bench/mlp_train.py [--seconds 1] [--repeat 2] [--simd]
"""
import argparse
import math
import os
import re
import subprocess
import sys
import time

BATCHES = [64, 256, 1024]
WIDTHS = [64, 128, 256]


def torch_steps_per_s(B, W, threads, seconds):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    T = 1000
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    alphas = torch.cumprod(1 - betas, 0).float()
    data = torch.randn(4096, 2)
    half = 8
    freqs = 0.5 * torch.exp(torch.arange(half, dtype=torch.float32) / (half - 1) * math.log(64))
    model = torch.nn.Sequential(
        torch.nn.Linear(2 + 2 * half, W), torch.nn.SiLU(),
        torch.nn.Linear(W, W), torch.nn.SiLU(),
        torch.nn.Linear(W, W), torch.nn.SiLU(),
        torch.nn.Linear(W, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        idx = torch.randint(0, data.shape[0], (B,))
        x0 = data[idx]
        t = torch.randint(0, T, (B,))
        a = alphas[t].unsqueeze(1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * torch.randn(B, 2)
        u = 0.5 * (torch.log1p(-a) - torch.log(a)) / 6
        ang = u * freqs
        inp = torch.cat([xt, torch.sin(ang), torch.cos(ang)], 1)
        loss = ((model(inp) - x0) ** 2).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    n, start = 0, time.perf_counter()
    while True:
        step()
        n += 1
        el = time.perf_counter() - start
        if el >= seconds and n >= 10:
            return n / el


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def go_steps_per_s(B, W, seconds, simd):
    env = dict(os.environ)
    env.pop("GOEXPERIMENT", None)
    if simd:
        env["GOEXPERIMENT"] = "simd"
    cmd = ["go", "test", "-run", "^$", "-bench", "BenchmarkTrainStep/B=%d/W=%d$" % (B, W),
           "-benchtime", "%gs" % seconds, "./toy/nn"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit("go benchmark failed:\n" + out.stdout + out.stderr)
    for line in out.stdout.splitlines():
        m = re.search(r"\s(\S+) steps/s", line)
        if m and line.startswith("BenchmarkTrainStep/"):
            return float(m.group(1))
    sys.exit("no result in go benchmark output:\n" + out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    ap.add_argument("--repeat", type=int, default=2, help="measurements per cell and side (best kept)")
    ap.add_argument("--simd", action="store_true", help="also run the GOEXPERIMENT=simd build")
    args = ap.parse_args()

    import torch
    print("PyTorch %s (float32); Go builds: default%s; steps/s, best of %d x %gs per entry"
          % (torch.__version__, " and GOEXPERIMENT=simd" if args.simd else "", args.repeat, args.seconds))
    print("load average at start: %.1f %.1f %.1f" % os.getloadavg())
    head = "| B | W | torch 1 thr | torch 2 thr | Go | Go / best torch |"
    sep = "|---:|---:|---:|---:|---:|---:|"
    if args.simd:
        head += " Go simd | simd / best torch |"
        sep += "---:|---:|"
    print(head)
    print(sep)
    for B in BATCHES:
        for W in WIDTHS:
            # Interleave the sides so that a change in machine load hits both.
            t1 = t2 = g = s = 0.0
            for _ in range(args.repeat):
                t1 = max(t1, torch_steps_per_s(B, W, 1, args.seconds))
                t2 = max(t2, torch_steps_per_s(B, W, 2, args.seconds))
                g = max(g, go_steps_per_s(B, W, args.seconds, False))
                if args.simd:
                    s = max(s, go_steps_per_s(B, W, args.seconds, True))
            best = max(t1, t2)
            row = "| %d | %d | %.0f | %.0f | %.0f | %.2f |" % (B, W, t1, t2, g, g / best)
            if args.simd:
                row += " %.0f | %.2f |" % (s, s / best)
            print(row, flush=True)
    print("load average at end: %.1f %.1f %.1f" % os.getloadavg())


if __name__ == "__main__":
    main()
