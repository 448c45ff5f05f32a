#!/usr/bin/env python3
"""Training-step speed of toy/nn against PyTorch on the canonical workload.

Workload: 2-D x plus a 16-dim sinusoidal time embedding of log sigma,
3 hidden layers of width W with SiLU, 2 outputs, x0 loss, Adam lr 1e-3,
batch B; one step = draw x0, t, eps, forward, backward, Adam. PyTorch runs
in float32 with 1 and with 2 threads (the better counts); the Go side is
BenchmarkTrainStep of ./toy/nn in the default build (assembly kernels chosen
at run time; with --purego also the -tags purego build), compiled once and
run here as a subprocess right after PyTorch on each cell. Each entry is
the best of --repeat runs of --seconds (short runs, so that on a shared
machine some run gets the cores). Prints steps/s, the ratio Go / best
PyTorch, Go's GFLOP/s against the peak of the cores: 2 FMA units x 16
float32 lanes (AVX-512) x 2 flops x clock x 2 cores, the clock measured by
BenchmarkClock (a chain of dependent one-cycle instructions), and the CPU
time per step of each side (all its threads; the least over the runs and,
for PyTorch, over 1 and 2 threads), which depends less than steps/s
on other processes sharing the cores.

Run with Debian's python3-torch and Go on the PATH (from anywhere):
    /usr/bin/python3 bench/mlp_train.py [--seconds 0.5] [--repeat 4] [--purego]
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
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        step()
        n += 1
        el = time.perf_counter() - start
        if el >= seconds and n >= 10:
            return n / el, (time.process_time() - cpu) / n * 1e6


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_go(tmp, tags):
    out = os.path.join(tmp, "nn%s.test" % ("-" + tags if tags else ""))
    cmd = ["go", "test", "-c", "-o", out] + (["-tags", tags] if tags else []) + ["./toy/nn"]
    env = dict(os.environ)
    env.pop("GOEXPERIMENT", None)
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if res.returncode != 0:
        sys.exit("go test -c failed:\n" + res.stdout + res.stderr)
    return out


def run_go(binary, args):
    res = subprocess.run([binary] + args, capture_output=True, text=True, cwd=os.path.join(ROOT, "toy", "nn"))
    if res.returncode != 0:
        sys.exit("go benchmark failed:\n" + res.stdout + res.stderr)
    return res.stdout


def go_steps_per_s(binary, B, W, seconds):
    """Returns steps/s and CPU microseconds per step (all threads)."""
    out = run_go(binary, ["-test.run", "^$", "-test.bench", "BenchmarkTrainStep/B=%d/W=%d$" % (B, W),
                          "-test.benchtime", "%gs" % seconds])
    for line in out.splitlines():
        m = re.search(r"\s(\S+) steps/s", line)
        c = re.search(r"\s(\S+) cpu-us/step", line)
        if m and c and line.startswith("BenchmarkTrainStep/"):
            return float(m.group(1)), float(c.group(1))
    sys.exit("no result in go benchmark output:\n" + out)


def go_clock_ghz(binary):
    out = run_go(binary, ["-test.run", "^$", "-test.bench", "BenchmarkClock$", "-test.benchtime", "3000x"])
    m = re.search(r"\s(\S+) GHz", out)
    if not m:
        sys.exit("no result in BenchmarkClock output:\n" + out)
    return float(m.group(1))


def go_kernels(binary):
    out = run_go(binary, ["-test.run", "^TestKernelChoice$", "-test.v"])
    m = re.search(r"kernels in use: (\S+)", out)
    return m.group(1) if m else "purego"


def flops_per_step(B, W):
    """Multiply-adds x 2 of the three products of every layer: forward
    (h W), weight gradient (h^T g) and input gradient (g W^T, not for the
    first layer)."""
    sizes = [18, W, W, W, 2]
    fwd = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return 2 * B * (3 * fwd - sizes[0] * sizes[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    ap.add_argument("--repeat", type=int, default=4, help="measurements per cell and side (best kept)")
    ap.add_argument("--purego", action="store_true", help="also run the -tags purego build")
    args = ap.parse_args()

    import tempfile
    import torch
    tmp = tempfile.mkdtemp(prefix="mlp_train")
    fastbin = build_go(tmp, "")
    purebin = build_go(tmp, "purego") if args.purego else None
    ghz = go_clock_ghz(fastbin)
    cores = os.cpu_count()
    peak = 2 * 16 * 2 * ghz * cores
    print("PyTorch %s (float32); Go kernels: %s%s; steps/s, best of %d x %gs per entry"
          % (torch.__version__, go_kernels(fastbin), " and purego" if args.purego else "", args.repeat, args.seconds))
    print("clock %.2f GHz (BenchmarkClock); peak %d cores x 2 FMA x 16 lanes x 2 x clock = %.0f GFLOP/s"
          % (ghz, cores, peak))
    print("load average at start: %.1f %.1f %.1f" % os.getloadavg())
    head = ("| B | W | torch 1 thr | torch 2 thr | Go | Go / best torch | Go GFLOP/s | % of peak"
            " | torch CPU us/step | Go CPU us/step | torch / Go CPU |")
    sep = "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    if args.purego:
        head += " Go purego | purego / best torch |"
        sep += "---:|---:|"
    print(head)
    print(sep)
    for B in BATCHES:
        for W in WIDTHS:
            # Interleave the sides so that a change in machine load hits both.
            t1 = t2 = g = p = 0.0
            tc = gc = float("inf")
            for _ in range(args.repeat):
                s1, c1 = torch_steps_per_s(B, W, 1, args.seconds)
                s2, c2 = torch_steps_per_s(B, W, 2, args.seconds)
                sg, cg = go_steps_per_s(fastbin, B, W, args.seconds)
                t1, t2, g = max(t1, s1), max(t2, s2), max(g, sg)
                tc, gc = min(tc, c1, c2), min(gc, cg)
                if purebin:
                    p = max(p, go_steps_per_s(purebin, B, W, args.seconds)[0])
            best = max(t1, t2)
            gf = g * flops_per_step(B, W) / 1e9
            row = "| %d | %d | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f%% | %.0f | %.0f | %.2f |" % (
                B, W, t1, t2, g, g / best, gf, 100 * gf / peak, tc, gc, tc / gc)
            if purebin:
                row += " %.0f | %.2f |" % (p, p / best)
            print(row, flush=True)
    print("load average at end: %.1f %.1f %.1f" % os.getloadavg())


if __name__ == "__main__":
    main()
