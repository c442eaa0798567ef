"""Chapter 2's figures: batch-size curves, learning-rate sweeps, gradient noise against batch size.

Drawing only: every function takes Matplotlib axes and data that the chapter computed, draws,
and returns what it drew. Nothing here trains, samples or measures.
"""

from __future__ import annotations

import numpy as np

from .contours import COLORS
from .curves import decorate, loss_curves, reference_slope, vline

__all__ = ["batch_size_curves", "rate_sweep", "cosine_against_batch_size", "variance_against_batch_size",
           "minima_fraction"]


def batch_size_curves(ax_epoch, ax_time, epochs, seconds, losses, labels, ylim=(0.04, 4)):
    """Training loss against epochs (left) and against seconds (right), log-log, one line per
    batch size. ``epochs``, ``seconds``, ``losses``, ``labels``: one entry per run."""
    for ax, x, xlabel, title in ((ax_epoch, epochs, "epoch (log scale)", "Per epoch"),
                                 (ax_time, seconds, "wall-clock seconds of training (log scale)", "Per second")):
        lines = loss_curves(ax, losses, labels, x=x, log=True, xlabel=xlabel, ylabel="training loss (cross-entropy)",
                            title=title, legend=False)
        for line in lines[1::2]:  # every second line dashed: curves that coincide (B = 1 and 10) both stay visible
            line.set_linestyle((0, (4, 2)))
        ax.set_xscale("log")
        ax.set_ylim(*ylim)
    ax_epoch.legend(fontsize=8, loc="upper right")
    return ax_epoch, ax_time


def rate_sweep(ax, rates, values, labels, best=None, ylabel="loss", title=None, log=True, legend_loc="best"):
    """One line per setting of ``values[k]`` against its learning rates ``rates[k]`` (log x);
    ``best[k]``, if given, is the index of the rate kept for setting ``k`` (marked by a star)."""
    lines = []
    for k, (r, v, label) in enumerate(zip(rates, values, labels, strict=True)):
        color = COLORS[k % len(COLORS)]
        (line,) = ax.plot(r, v, "o-", color=color, markersize=4, linewidth=1.3, label=label)
        lines.append(line)
        if best is not None:
            ax.plot(r[best[k]], v[best[k]], "*", color=color, markersize=13, markeredgecolor="k",
                    markeredgewidth=0.6)
    ax.set_xscale("log")
    decorate(ax, "learning rate α (log scale)", ylabel, title, log=log, legend=False)
    ax.legend(fontsize=8, loc=legend_loc)
    return lines


def cosine_against_batch_size(ax, curves, predicted=None):
    """Mean cosine of ``g_S`` to ``g`` (± its spread) against ``B``: ``curves`` maps a label to a
    ``NoiseStats``; ``predicted`` maps a label to ``(batch_sizes, cosine)`` drawn as lines."""
    for k, (label, st) in enumerate(curves.items()):
        ax.errorbar(st.batch_sizes, st.cosine, yerr=st.cosine_std, fmt="os"[k % 2], color=COLORS[k], capsize=3,
                    markersize=5, linestyle="none", label=label)
    styles = ("-", "--", ":")
    for k, (label, (b, c)) in enumerate((predicted or {}).items()):
        ax.plot(b, c, styles[k % 3], color="0.3", linewidth=1, label=label)
    ax.set_xscale("log")
    ax.axhline(1, color="0.5", linewidth=0.8)
    decorate(ax, "batch size $B$", r"cosine similarity of $g_S$ to the full gradient",
             "Past some batch size the direction hardly changes\n(mean ± std over random batches)", legend=False)
    ax.legend(fontsize=8, loc="lower right")


def variance_against_batch_size(ax, with_repl, without, bb, sigma2, finite, n):
    """Measured ``E‖g_S − g‖²`` (± 2 s.e.) with and without replacement, the ``σ²/B`` line and
    the finite-population curve ``finite`` over ``bb``; a marker at ``B = n`` (where the variance
    without replacement is 0, so neither it nor the curve is drawn there)."""
    for k, (st, how) in enumerate(((with_repl, "with"), (without, "without"))):
        m = st.batch_sizes < n  # B = N without replacement has no noise: nothing to draw on a log axis
        ax.errorbar(st.batch_sizes[m], st.variance[m], yerr=2 * st.variance_se[m], fmt="so"[k], color=COLORS[k],
                    markersize=5, capsize=2, label=f"measured, {how} replacement (± 2 s.e.)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    bb, finite = np.asarray(bb), np.asarray(finite)
    reference_slope(ax, bb, 1, sigma2, -1, label=r"$\sigma^2/B$ (slope −1)")
    ax.loglog(bb[bb < n], finite[bb < n], color=COLORS[1], linewidth=1,
              label=r"$\frac{\sigma^2}{B}\,\frac{N-B}{N-1}$ (finite population)")
    vline(ax, n, "$B = N$: no noise", text_y=0.9)
    decorate(ax, "batch size $B$", r"$\mathbb{E}\,\|g_S - g\|^2$",
             "Variance of the mini-batch gradient against batch size", legend=False)
    ax.legend(fontsize=8, loc="lower left")


def minima_fraction(ax, dims, fraction, coin, samples, law):
    """Fraction of random symmetric Hessians that are positive definite against the dimension,
    beside the coin-flip ``2^-d`` and the large-``d`` law ``law = (d_grid, values)``."""
    dims, fraction = np.asarray(dims), np.asarray(fraction)
    ok = fraction > 0
    ax.semilogy(dims[ok], fraction[ok], "o-", color=COLORS[0], label="random symmetric Hessian (measured)")
    ax.semilogy(dims, coin, "s--", color="0.5", label="independent signs, $2^{-d}$")
    ax.semilogy(*law, ":", color=COLORS[1], label=r"$\propto e^{-(\ln 3/4)\, d^2}$ (large-$d$ law)")
    for d in dims[~ok]:
        ax.annotate(f"0 of {samples}", (d, 1.5 / samples), ha="center", fontsize=8, rotation=90)
    ax.set_ylim(1e-6, 1)
    decorate(ax, "dimension $d$", "fraction of critical points that are minima",
             "Local minima become rare as the dimension grows", legend=False)
    ax.legend(fontsize=8, loc="lower left")
