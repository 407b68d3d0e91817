#!/usr/bin/env python3
"""PyTorch peer of the train-w1 benchmark (issue 11, WORKLOADS.md W5).

One maximum-likelihood training step of the W1 RealNVP -- D = 64, K = 8 affine couplings
alternating halves (even layers condition on x[:32], odd ones on x[32:]), conditioners
MLP 32 -> 256 -> 256 -> 64 with tanh, s = tanh(o[:32]), t = o[32:] -- at batch 16,384 in
float32 on the CPU: the inverse pass z = f^-1(x) with its log-det, loss -mean log p(x),
autograd's backward and torch.optim.Adam (lr 1e-3). The data are x ~ N(0, 1.5^2 I), drawn
once; each step takes a batch from them with replacement, as the Java trainer does.
It prints the step's throughput in samples/s, and the no-grad forward log p of the same batch
(W1-density) with the ratio step / forward, the figure the issue bounds by 3.5.

Not run in this repository: the development machine has no PyTorch (and no route to PyPI).
Run it where torch is installed, on the machine the Java figure comes from:
    python3 bench/peers/train_w1.py --threads 2
"""
import argparse
import math
import statistics
import time

import torch
from torch import nn

D, K, HIDDEN, BATCH = 64, 8, 256, 16384
HALF = D // 2


class Coupling(nn.Module):
    """x_t -> x_t * exp(s(x_c)) + t(x_c); `first` picks which half conditions."""

    def __init__(self, first):
        super().__init__()
        self.first = first
        self.net = nn.Sequential(nn.Linear(HALF, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, HIDDEN), nn.Tanh(),
                                 nn.Linear(HIDDEN, 2 * HALF))

    def inverse(self, x):
        xc, xt = (x[:, :HALF], x[:, HALF:]) if self.first else (x[:, HALF:], x[:, :HALF])
        o = self.net(xc)
        s, t = torch.tanh(o[:, :HALF]), o[:, HALF:]
        zt = (xt - t) * torch.exp(-s)
        z = torch.cat((xc, zt), 1) if self.first else torch.cat((zt, xc), 1)
        return z, -s.sum(1)


class RealNvp(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(Coupling(k % 2 == 0) for k in range(K))

    def log_prob(self, x):
        logdet = torch.zeros(x.shape[0])
        for layer in reversed(self.layers):  # the inverse runs the layers last to first
            x, ld = layer.inverse(x)
            logdet = logdet + ld
        return -0.5 * (x * x).sum(1) - 0.5 * D * math.log(2 * math.pi) + logdet


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=BATCH)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(11)
    flow = RealNvp()
    data = 1.5 * torch.randn(a.batch, D)
    opt = torch.optim.Adam(flow.parameters(), lr=1e-3)

    def step():
        x = data[torch.randint(0, a.batch, (a.batch,))]
        loss = -flow.log_prob(x).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def density():
        with torch.no_grad():
            flow.log_prob(data)

    for _ in range(a.warmup):
        step()
        density()
    t_step, t_density = timed(step, a.repeats), timed(density, a.repeats)
    print(f"torch {torch.__version__}, {a.threads} threads, batch {a.batch}, float32, medians of {a.repeats}")
    print(f"train-w1:   {a.batch / t_step:,.0f} samples/s ({t_step * 1e3:.1f} ms per step)")
    print(f"W1-density: {a.batch / t_density:,.0f} samples/s ({t_density * 1e3:.1f} ms per pass)")
    print(f"step / forward: {t_step / t_density:.2f}")


if __name__ == "__main__":
    main()
