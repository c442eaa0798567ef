"""Time one training epoch of the 64-128-128-10 ReLU MLP on the digits: coursekit against PyTorch.

    python benchmarks/bench_mlp_epoch.py [--threads 1] [--repeats 30] [--batch-size 32]

One epoch = one pass over the 1,438 training images of ``data.load_digits(val_fraction=0.2)``
in shuffled mini-batches of 32 (45 steps): forward, softmax cross-entropy, backward and an
optimizer step (SGD with momentum 0.9, or Adam), all in float64. Rows:

- ``coursekit fit``: ``train.fit`` (its own per-epoch training time, ``history.time``),
- ``coursekit loop``: the loop a learner writes with ``nn``, ``data.minibatches`` and ``optim``,
- ``nn, inline step``: the same loop with the update written inline instead of ``optim``
  (for information: what the layers cost without the optimizer class),
- ``torch float64``: the same network, initial weights and loop in PyTorch (CPU, autograd,
  ``torch.optim``), and ``torch float32`` (PyTorch's default dtype) for information.

The ratio is coursekit's time over PyTorch float64's (below 1: coursekit is faster). The
implementations run interleaved, ``--repeats`` times each, and the table shows medians. BLAS
and PyTorch get the same number of threads (``--threads``, default 1: for matrices this small
more threads only add synchronisation, and on a busy machine much more). Without PyTorch the
torch rows are skipped with a note.
"""

import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads (default 1)")
parser.add_argument("--repeats", type=int, default=30, help="epochs timed per implementation (default 30)")
parser.add_argument("--batch-size", type=int, default=32)
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)  # before NumPy loads its BLAS

import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from coursekit import data, nn, optim  # noqa: E402
from coursekit.train import fit  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

WIDTHS = (64, 128, 128, 10)
X, y, _, _ = data.load_digits(val_fraction=0.2, seed=0)
B = args.batch_size
OPTIMIZERS = {"SGD": (optim.SGD, dict(lr=0.01, momentum=0.9)), "Adam": (optim.Adam, dict(lr=1e-3))}


def _coursekit_setup(opt_name):
    """The network, its optimizer and the shuffling generator, as both coursekit rows use them."""
    model = nn.mlp(*WIDTHS, seed=0)
    cls, hyper = OPTIMIZERS[opt_name]
    return model, cls(model.parameters(), **hyper), np.random.default_rng(0)


def coursekit_fit(opt_name):
    model, opt, rng = _coursekit_setup(opt_name)

    def epoch():
        h = fit(model, (X, y), epochs=1, batch_size=B, optimizer=opt, seed=rng, progress=False)
        return float(h.time[-1])

    return epoch


def coursekit_loop(opt_name):
    model, opt, rng = _coursekit_setup(opt_name)

    def epoch():
        start = time.perf_counter()
        in_step = 0.0
        for xb, yb in data.minibatches(X, y, B, rng):
            _, dlogits = nn.softmax_cross_entropy(model.forward(xb), yb)
            model.backward(dlogits)
            t = time.perf_counter()
            opt.step(model.gradients())
            in_step += time.perf_counter() - t
        STEP_TIME[opt_name].append(in_step)
        return time.perf_counter() - start

    return epoch


def coursekit_inline(opt_name):
    """The coursekit loop with the update written inline (no optim class): what the layers
    cost on their own."""
    model = nn.mlp(*WIDTHS, seed=0)
    params, hyper = model.parameters(), OPTIMIZERS[opt_name][1]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rng, t = np.random.default_rng(0), [0]

    def epoch():
        start = time.perf_counter()
        for xb, yb in data.minibatches(X, y, B, rng):
            _, dlogits = nn.softmax_cross_entropy(model.forward(xb), yb)
            model.backward(dlogits)
            t[0] += 1
            for p, g, m_, v_ in zip(params, model.gradients(), m, v, strict=True):
                if opt_name == "SGD":  # v ← γ v + g (g at the first step), θ ← θ − α v
                    m_ *= hyper["momentum"]
                    m_ += g
                    p -= hyper["lr"] * m_
                else:  # Adam
                    m_ *= 0.9
                    m_ += 0.1 * g
                    v_ *= 0.999
                    v_ += 0.001 * g * g
                    p -= hyper["lr"] * (m_ / (1 - 0.9 ** t[0])) / (np.sqrt(v_ / (1 - 0.999 ** t[0])) + 1e-8)
        return time.perf_counter() - start

    return epoch


STEP_TIME = {name: [] for name in OPTIMIZERS}  # seconds per epoch inside optimizer.step (coursekit loop)


def torch_loop(opt_name, dtype):
    ours = nn.mlp(*WIDTHS, seed=0)  # the same initial weights
    layers = []
    for i, lin in enumerate(nn.linear_layers(ours)):
        layer = torch.nn.Linear(lin.in_features, lin.out_features, dtype=dtype)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(lin.W.T.copy()))
            layer.bias.copy_(torch.from_numpy(lin.b))
        layers += [layer] if i == len(WIDTHS) - 2 else [layer, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers)
    cls = getattr(torch.optim, opt_name)
    opt = cls(model.parameters(), **OPTIMIZERS[opt_name][1])
    Xt, yt = torch.from_numpy(X).to(dtype), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(0)

    def epoch():
        start = time.perf_counter()
        order = torch.randperm(len(Xt), generator=gen)
        for s in range(0, len(Xt), B):
            idx = order[s:s + B]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        return time.perf_counter() - start

    return epoch


def main():
    rows = {"coursekit fit": coursekit_fit, "coursekit loop": coursekit_loop, "nn, inline step": coursekit_inline}
    if torch is not None:
        torch.set_num_threads(args.threads)
        rows["torch float64"] = lambda o: torch_loop(o, torch.float64)
        rows["torch float32"] = lambda o: torch_loop(o, torch.float32)
    results = {}
    for opt_name in OPTIMIZERS:
        epochs = {label: make(opt_name) for label, make in rows.items()}
        for run in epochs.values():  # warm up
            run()
        times = {label: [] for label in rows}
        for _ in range(args.repeats):
            for label, run in epochs.items():
                times[label].append(run())
        results[opt_name] = {label: float(np.median(t)) for label, t in times.items()}

    steps = -(-len(X) // B)
    print(f"One epoch: {len(X)} digits, batch size {B} ({steps} steps), MLP {'-'.join(map(str, WIDTHS))} (ReLU), "
          f"float64 unless noted")
    print(f"NumPy {np.__version__}" + (f", PyTorch {torch.__version__}" if torch else "")
          + f"; BLAS and torch threads: {args.threads}; median of {args.repeats} epochs each\n")
    header = f"{'':16s}" + "".join(f"{o + ' ms/epoch':>16s}{'vs torch64':>12s}" for o in OPTIMIZERS)
    print(header)
    print("-" * len(header))
    for label in rows:
        line = f"{label:16s}"
        for opt_name in OPTIMIZERS:
            t = results[opt_name][label]
            ref = results[opt_name].get("torch float64")
            line += f"{1e3 * t:16.2f}" + (f"{t / ref:11.2f}x" if ref else f"{'':12s}")
        print(line)
    print("\nof the coursekit loop's time, optimizer.step takes: " + ", ".join(
        f"{opt_name} {1e3 * np.median(STEP_TIME[opt_name]):.2f} ms" for opt_name in OPTIMIZERS))
    if torch is None:
        print("\n(PyTorch is not installed: the torch rows are skipped; pip install torch to compare)")
    else:
        for opt_name in OPTIMIZERS:
            r = results[opt_name]
            print(f"\n{opt_name}: coursekit fit / torch float64 = {r['coursekit fit'] / r['torch float64']:.2f}, "
                  f"coursekit loop / torch float64 = {r['coursekit loop'] / r['torch float64']:.2f}", end="")
        print()


if __name__ == "__main__":
    main()
