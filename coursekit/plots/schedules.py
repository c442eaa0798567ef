"""Learning-rate schedule curves and the LR range-test plot.

Drawing only: every function takes a Matplotlib ``ax`` and data (rates computed by
``coursekit.schedules``, a result of ``coursekit.lr_finder``), draws, and returns the artists
it made. Nothing here computes a schedule.
"""

from __future__ import annotations

import numpy as np

from .contours import COLORS
from .curves import decorate, loss_curves

__all__ = ["schedule_curves", "mark_values", "halving_plot", "range_test_plot", "rate_runs_plot"]


def schedule_curves(ax, t, curves, log: bool = True, colors=None, xlabel: str = "epoch $t$",
                    ylabel: str = r"learning rate $\alpha_t$", title: str | None = None,
                    legend: bool = True, steps: bool = True, **line_kwargs):
    """One line per schedule on ``ax``; returns the list of lines.

    - ``t``: the step counts (shared by all curves), e.g. ``np.arange(50)``;
    - ``curves``: a dict ``{label: rates}`` (rates of the same length as ``t``), or a list of
      ``(label, rates)`` pairs;
    - ``steps``: draw each rate as constant over its epoch (``drawstyle="steps-post"``), which
      is what a scheduler stepped once per epoch does; ``False`` joins the points;
    - ``log``: logarithmic rate axis (decays by orders of magnitude look like straight lines
      for exponential decay).
    """
    items = list(curves.items()) if isinstance(curves, dict) else list(curves)
    colors = COLORS if colors is None else colors
    t = np.asarray(t)
    lines = []
    for i, (label, rates) in enumerate(items):
        rates = np.asarray(rates, dtype=float)
        if rates.shape != t.shape:
            raise ValueError(f"curve {label!r} has shape {rates.shape}, but t has shape {t.shape}")
        kwargs = {"linewidth": 1.6, "drawstyle": "steps-post" if steps else "default", **line_kwargs}
        (line,) = ax.plot(t, rates, color=colors[i % len(colors)], label=label, **kwargs)
        lines.append(line)
    decorate(ax, xlabel, ylabel, title, log=log, legend=legend and bool(items))
    return lines


def mark_values(ax, t, values, fmt: str = "{:g}", color: str = "k", offset=(4, 6), fontsize: int = 8,
                **marker_kwargs):
    """Dots at ``(t[i], values[i])``, each labelled with ``fmt.format(value)`` (the worked
    examples: "0.05 at epoch 10"); returns the line of markers."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    values = np.atleast_1d(np.asarray(values, dtype=float))
    kwargs = {"marker": "o", "markersize": 5, "linestyle": "none", "color": color, **marker_kwargs}
    (dots,) = ax.plot(t, values, **kwargs)
    for ti, vi in zip(t, values, strict=True):
        ax.annotate(fmt.format(vi), (ti, vi), textcoords="offset points", xytext=offset, fontsize=fontsize)
    return dots


def range_test_plot(ax, result, color: str = COLORS[0], title: str | None = "LR range test",
                    show_raw: bool = True):
    """The LR range test: loss against learning rate (log axis), the smoothed curve, and the
    suggested rate as a labelled vertical line.

    ``result`` is what ``coursekit.lr_finder.lr_range_test`` returns (``lrs``, ``losses``,
    ``smoothed``, ``suggested_lr``, ``min_loss_lr``). Returns a dict of the artists.
    """
    lrs = np.asarray(result.lrs, dtype=float)
    artists = {}
    if show_raw:
        (artists["raw"],) = ax.plot(lrs, result.losses, color=color, alpha=0.3, linewidth=0.8,
                                    label="loss of each mini-batch")
    (artists["smoothed"],) = ax.plot(lrs, result.smoothed, color=color, linewidth=1.8,
                                     label="smoothed (EMA, bias-corrected)")
    finite = np.isfinite(result.smoothed)
    if np.any(finite):
        low = np.nanmin(result.smoothed[finite])
        start = result.smoothed[finite][0]
        ax.set_ylim(0.9 * low, max(1.6 * start, 1.1 * low))
    ax.set_xscale("log")
    artists["min"] = ax.axvline(result.min_loss_lr, color="0.4", linestyle=":", linewidth=1.2,
                                label=f"lowest smoothed loss at α = {result.min_loss_lr:.3g}")
    artists["suggested"] = ax.axvline(result.suggested_lr, color="C3", linestyle="--", linewidth=1.5,
                                      label=f"suggested α = {result.suggested_lr:.3g}")
    ax.set_xlabel(r"learning rate $\alpha$ (log scale; it grows each mini-batch step)")
    ax.set_ylabel("training loss (cross-entropy)")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper left")
    return artists


def halving_plot(ax, result, color: str = COLORS[1], title: str | None = "Halving search (source 002)"):
    """Source 002's halving search: the loss after the short run at each rate tried (log rate
    axis, largest first on the right), failed runs (``inf``: blew up or learnt nothing) as
    crosses on the top edge, and the suggested rate as a labelled vertical line.

    ``result`` is what ``coursekit.lr_finder.halving_search`` returns. Returns a dict of the
    artists."""
    lrs = np.asarray(result.lrs, dtype=float)
    losses = np.asarray(result.losses, dtype=float)
    ok = np.isfinite(losses)
    artists = {}
    (artists["losses"],) = ax.plot(lrs[ok], losses[ok], "o-", color=color, linewidth=1.5,
                                   label="loss after the short run")
    top = 1.25 * np.max(losses[ok]) if np.any(ok) else 1.0
    if result.baseline is not None and np.isfinite(result.baseline):
        top = max(top, 1.1 * result.baseline)
        artists["baseline"] = ax.axhline(result.baseline, color="0.5", linestyle=":", linewidth=1.0,
                                         label=f"no training at all: {result.baseline:.3g}")
    (artists["failed"],) = ax.plot(lrs[~ok], np.full(int(np.sum(~ok)), 0.97 * top), "x", color="C3",
                                   markersize=8, linestyle="none", label="blew up or learnt nothing")
    artists["suggested"] = ax.axvline(result.suggested_lr, color="C3", linestyle="--", linewidth=1.5,
                                      label=f"suggested α = {result.suggested_lr:g}")
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, top)
    ax.set_xlabel(r"learning rate $\alpha$ (halved at each try, from the right)")
    ax.set_ylabel("training loss after the short run")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return artists


def rate_runs_plot(axes, runs, loss_limits=(1e-3, 1e3), error_limits=(5e-4, 1)):
    """Training (solid) and validation (dashed) curves of ``fit`` histories, one colour per
    rate: cross-entropy on ``axes[0]``, classification error on ``axes[1]``, both on log
    scales. ``runs`` maps a learning rate to its ``History``. A run that diverged is labelled
    with the step of its NaN and marked by an X at the top of the loss panel (its loss leaves
    the scale before that)."""
    for key, ax, label in (("loss", axes[0], "cross-entropy"), ("err", axes[1], "classification error")):
        for i, (lr, h) in enumerate(runs.items()):
            train_curve = h.loss if key == "loss" else 1 - h.acc
            val_curve = h.val_loss if key == "loss" else 1 - h.val_acc
            tag = f"α = {lr:g}" + (f": NaN at step {h.diverged_at}" if h.diverged else "")
            loss_curves(ax, [train_curve], [tag], colors=[COLORS[i % len(COLORS)]], start=1, legend=False)
            loss_curves(ax, [val_curve], [None], colors=[COLORS[i % len(COLORS)]], start=1, legend=False,
                        linestyle="--")
        ax.set_yscale("log")
        ax.set_xlim(0.5, max(len(h.loss) for h in runs.values()) + 0.5)
        ax.set_ylabel(label + " (log scale)")
        ax.set_title(f"{label}: solid = training, dashed = validation")
    axes[0].set_ylim(*loss_limits)
    top = loss_limits[1] * 0.6
    for i, (lr, h) in enumerate(runs.items()):
        if h.diverged:
            axes[0].plot([h.diverged_epoch], [top], "X", color=COLORS[i % len(COLORS)], markersize=10)
            axes[0].annotate(f"α = {lr:g} off the scale;\nNaN at step {h.diverged_at} (epoch {h.diverged_epoch})",
                             (h.diverged_epoch, top), xytext=(10, -25), textcoords="offset points", fontsize=8,
                             color=COLORS[i % len(COLORS)])
    axes[1].set_ylim(*error_limits)
    axes[1].set_title("classification error (0 is not drawn on the log axis)")
    axes[0].legend(fontsize=8, loc="lower left")
    return axes
