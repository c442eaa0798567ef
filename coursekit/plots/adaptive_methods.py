"""Figures of chapter 4 (adaptive learning rates). Each function takes the runs' data and returns
the figure; nothing here computes an optimizer step. Legends sit outside the data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .contours import COLORS, contour

__all__ = ["legend_below", "sweep_panel", "sparse_features_figure", "effective_rate_figure", "bias_correction_figure",
           "nadam_figure", "gains_newton_figure", "rotated_valley_figure", "digits_figure"]


def legend_below(fig, axes, ncol=3, fontsize=8):
    """One legend for the figure, below the axes (unique labels, in drawing order)."""
    handles, labels = {}, []
    for ax in np.atleast_1d(axes):
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    fig.legend([handles[lab] for lab in labels], labels, loc="lower center", ncol=ncol, fontsize=fontsize,
               frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.06 + 0.05 * ((len(labels) - 1) // ncol), 1, 1))
    return fig


def sweep_panel(ax, rates, values: dict, best: dict | None = None, ylabel="loss after the run", title=None,
                colors=None):
    """``values[label]`` (one number per rate, NaN/inf = diverged) against the rates, log-log;
    the best rate of each method circled, diverged rates marked by an x at the top."""
    colors = colors or COLORS
    top = 3 * max(np.max(np.asarray(v)[np.isfinite(v)]) for v in values.values() if np.isfinite(v).any())
    for (label, v), color in zip(values.items(), colors, strict=False):
        v = np.asarray(v, dtype=float)
        ok = np.isfinite(v)
        ax.loglog(np.asarray(rates)[ok], v[ok], "-o", ms=4, color=color, label=label)
        if (~ok).any():
            ax.loglog(np.asarray(rates)[~ok], np.full((~ok).sum(), top), "x", ms=7, color=color)
        if best is not None and label in best:
            ax.loglog(rates[best[label]], v[best[label]], "o", ms=11, mfc="none", mec=color, mew=1.5)
    ax.set(xlabel=r"learning rate $\alpha$", ylabel=ylabel, title=title)
    ax.grid(alpha=0.3, which="both")


def sparse_features_figure(rates, sweep_error: dict, best: dict, curves: dict):
    """Left: mean weight error after the run against α (x: diverged). Right: at each method's
    tuned rate, the error of the frequent and of the rare features per step."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
    sweep_panel(axes[0], rates, sweep_error, best, ylabel=r"mean $|w_j - w_j^*|$ after 500 steps",
                title="the sweep (x: diverged; circle: tuned)")
    for ax, (label, (frequent, rare)) in zip(axes[1:], curves.items(), strict=True):
        ax.semilogy(frequent, color=COLORS[1], label="frequent features (50–90 %)")
        ax.semilogy(rare, color=COLORS[0], label="rare features (1–5 %)")
        ax.set(title=label, xlabel="step (mini-batch of 10)", ylabel=r"mean $|w_j - w_j^*|$")
        ax.grid(alpha=0.3)
    axes[2].sharey(axes[1])
    return legend_below(fig, axes, ncol=4)


def effective_rate_figure(rates, sweep_final: dict, best: dict, tuned: dict, stalls: dict):
    """Left: Rosenbrock f after the run against α. Middle: effective rate of x₁ at each method's
    tuned rate. Right: f per step at the tuned rates (solid) and for RMSprop at larger α (dashed)."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
    sweep_panel(axes[0], rates, sweep_final, best, ylabel="Rosenbrock $f$ after 3000 steps", title="the sweep")
    for (label, (losses, eff)), color in zip(tuned.items(), COLORS, strict=False):
        axes[1].semilogy(eff[:, 0], color=color, label=label)
        axes[2].semilogy(losses, color=color, label=label)
    for (label, losses), color in zip(stalls.items(), COLORS[3:], strict=False):
        axes[2].semilogy(losses, "--", color=color, lw=1.2, label=label)
    axes[1].set(xlabel="step $t$", ylabel=r"effective rate of $x_1$", title="effective rate (tuned α)")
    axes[2].set(xlabel="step $t$", ylabel="Rosenbrock $f(x_t)$", ylim=(1e-6, 1e4),
                title="loss (cut at 1e-6: Adam goes on to 1e-30)")
    for ax in axes[1:]:
        ax.grid(alpha=0.3)
    return legend_below(fig, axes, ncol=4)


def bias_correction_figure(corrected, uncorrected, lr):
    """Adam's step size per step, with and without bias correction (constant gradient)."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    t = np.arange(1, len(corrected) + 1)
    ax.semilogx(t, np.asarray(corrected) / lr, color=COLORS[1], label="with bias correction (coursekit / PyTorch)")
    ax.semilogx(t, np.asarray(uncorrected) / lr, color=COLORS[0], label="without bias correction")
    ax.set(xlabel="step $t$", ylabel=r"step size / $\alpha$", title="Adam, constant gradient g = 1, β = (0.9, 0.999)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def nadam_figure(f, bounds, rates, steps_needed: dict, best: dict, paths: dict, losses: dict, tol: float):
    """Left: steps until the loss stays below ``tol`` against α. Middle: paths at the tuned rates.
    Right: loss per step at the tuned rates."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
    sweep_panel(axes[0], rates, steps_needed, best, ylabel=f"steps until $L$ stays < {tol:.0e}",
                title="the sweep (x: not below tol within the run)", colors=[COLORS[4], COLORS[6]])
    contour(axes[1], f, bounds, n=100, levels=15)
    for (label, p), color in zip(paths.items(), [COLORS[4], COLORS[6]], strict=True):
        axes[1].plot(*p.T, "-o", ms=2, color=color, label=label)
    for (label, v), color in zip(losses.items(), [COLORS[4], COLORS[6]], strict=True):
        axes[2].semilogy(v, color=color, label=label)
    axes[2].axhline(tol, color="k", lw=0.8, ls=":")
    axes[1].set_title("paths at the tuned rates")
    axes[2].set(xlabel="step $t$", ylabel="loss", title="loss at the tuned rates")
    axes[2].grid(alpha=0.3)
    return legend_below(fig, axes, ncol=4)


def gains_newton_figure(gain_losses: dict, gains, rosen, gd_points, newton_points):
    """Per-weight gains on an axis-aligned bowl (loss, gains) and Newton against gradient
    descent on Rosenbrock."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
    for (label, v), color in zip(gain_losses.items(), COLORS, strict=False):
        axes[0].semilogy(v, color=color, label=label)
    axes[0].set(xlabel="step", ylabel="loss", title="axis-aligned bowl, κ = 100")
    axes[1].plot(gains[:, 0], color=COLORS[2], label="gain of $x_1$ (flat)")
    axes[1].plot(gains[:, 1], color=COLORS[3], label="gain of $x_2$ (steep)")
    axes[1].set(xlabel="step", ylabel="gain $k$", title="per-weight gains")
    for ax in axes[:2]:
        ax.grid(alpha=0.3)
    contour(axes[2], rosen, n=100, levels=15)
    axes[2].plot(*gd_points.T, "-o", ms=2, color=COLORS[1], label="Rosenbrock: gradient descent (5000 steps, α = 1e-3)")
    axes[2].plot(*newton_points.T, "-o", ms=4, color=COLORS[0], label="Rosenbrock: Newton (10 steps)")
    axes[2].set_title("Rosenbrock: Newton vs gradient descent")
    return legend_below(fig, axes, ncol=3)


def rotated_valley_figure(valleys: dict, runs: dict):
    """One panel per valley (``valleys[title] = (f, bounds)``): each method's path at its tuned
    rate, ``runs[title][label] = points``."""
    fig, axes = plt.subplots(1, len(valleys), figsize=(5.2 * len(valleys), 4.0))
    for ax, (title, (f, bounds)) in zip(np.atleast_1d(axes), valleys.items(), strict=True):
        contour(ax, f, bounds, n=100, levels=15)
        for (label, p), color in zip(runs[title].items(), COLORS, strict=False):
            ax.plot(*p.T, "-o", ms=2, lw=1.2, color=color, label=label)
        ax.set_title(title)
        ax.set_aspect("equal")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def digits_figure(histories: dict, colors=None):
    """Training loss and validation accuracy per epoch for each run (one legend, below)."""
    colors = colors or COLORS + ["#444444", "#999999"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.4))
    for (label, h), color in zip(histories.items(), colors, strict=False):
        epochs = np.arange(1, len(h["loss"]) + 1)
        ax.semilogy(epochs, h["loss"], color=color, label=label)
        ax2.plot(epochs, h["val_acc"], color=color, label=label)
    ax.set(xlabel="epoch", ylabel="training loss (cross-entropy, epoch mean)", title="loss per epoch")
    ax2.set(xlabel="epoch", ylabel="validation accuracy", title="validation accuracy per epoch")
    for a in (ax, ax2):
        a.grid(alpha=0.3)
    return legend_below(fig, (ax,), ncol=3)
