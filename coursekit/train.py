"""Running optimizers: on a test function (a trajectory) and on a network (a history).

``minimize`` runs any ``coursekit.optim`` optimizer on a function of ``coursekit.functions``
from a start point, or from a whole batch of start points with array-valued
hyperparameters (one trajectory per row: a sweep in one run). A run that blows up stops
and says at which step, instead of filling the screen with overflow warnings.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import data as _data
from . import nn as _nn
from . import optim as _optim

__all__ = ["Trajectory", "minimize"]


@dataclass
class Trajectory:
    """What ``minimize`` returns.

    ``points[s]`` is the iterate after ``s`` steps (``points[0]`` the start), with shape
    ``(n_steps + 1, *batch, d)``; ``losses`` and ``grad_norms`` have shape
    ``(n_steps + 1, *batch)``. A trajectory that diverged holds NaN from its divergence step
    on; ``diverged_at`` is that step (``None`` if it never diverged; for a batch an integer
    array with ``-1`` for the trajectories that did not). ``message`` says what happened.
    """

    points: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    diverged_at: int | np.ndarray | None
    message: str

    @property
    def diverged(self) -> bool | np.ndarray:
        if isinstance(self.diverged_at, np.ndarray):
            return self.diverged_at >= 0
        return self.diverged_at is not None

    @property
    def final(self) -> np.ndarray:
        """The last iterate (NaN for a trajectory that diverged)."""
        return self.points[-1]


def _make_optimizer(optimizer, params, hyperparameters):
    if isinstance(optimizer, type) and issubclass(optimizer, _optim.Optimizer):
        return optimizer(params, **hyperparameters)
    if hyperparameters:
        raise TypeError(
            "hyperparameters can only be given with an optimizer class (e.g. optimizer=Adam, lr=0.1); "
            "a factory function should set them itself"
        )
    if not callable(optimizer):
        raise TypeError(
            f"optimizer must be a coursekit.optim class or a function params -> optimizer; got {optimizer!r}"
        )
    return optimizer(params)


def minimize(f, x0, optimizer=_optim.SGD, steps: int = 100, *, max_norm: float = 1e6,
             **hyperparameters) -> Trajectory:
    """Run ``optimizer`` on ``f`` from ``x0`` for ``steps`` steps.

    ``f`` is a function object with ``f(x)`` and ``f.grad(x)`` (``coursekit.functions``);
    ``x0`` has shape ``(d,)`` for one trajectory or ``(*batch, d)`` for many, run at once;
    ``optimizer`` is a ``coursekit.optim`` class, called as ``optimizer([x], **hyperparameters)``
    (array hyperparameters of shape ``(*batch, 1)`` give each trajectory its own value), or
    a function ``params -> optimizer``.

    A trajectory diverges at step ``k`` when its iterate becomes non-finite or its norm
    exceeds ``max_norm``; from then on it is NaN, and the run stops when every trajectory
    has diverged (or finished).

    Example: ``minimize(Quadratic.from_coefficients([0.1, 2]), [-5, -2], SGD, 50, lr=0.4)``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0; got {steps!r}")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0; got {max_norm!r}")
    x = np.array(x0, dtype=float)
    if x.ndim == 0:
        raise ValueError("x0 must be a point of shape (d,) or a batch of shape (..., d); got a scalar")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite (it contains NaN or inf)")
    opt = _make_optimizer(optimizer, [x], hyperparameters)

    batch = x.shape[:-1]
    points = np.full((steps + 1, *x.shape), np.nan)
    losses = np.full((steps + 1, *batch), np.nan)
    grad_norms = np.full((steps + 1, *batch), np.nan)
    diverged_at = np.full(batch, -1, dtype=int)
    alive = np.ones(batch, dtype=bool)

    last = steps
    with np.errstate(all="ignore"):  # divergence is detected below, not by warnings
        g = f.grad(x)
        points[0], losses[0], grad_norms[0] = x, f(x), np.linalg.norm(g, axis=-1)
        for s in range(1, steps + 1):
            opt.step([g])
            g = f.grad(x)
            bad = alive & ~(np.all(np.isfinite(x), axis=-1) & (np.linalg.norm(x, axis=-1) <= max_norm)
                            & np.all(np.isfinite(g), axis=-1))
            if np.any(bad):
                diverged_at[bad] = s
                alive &= ~bad
                x[bad] = np.nan  # stop the row from overflowing further; NaN stays in its row
                g[bad] = np.nan
            points[s] = np.where(alive[..., None], x, np.nan)
            losses[s] = np.where(alive, f(x), np.nan)
            grad_norms[s] = np.where(alive, np.linalg.norm(g, axis=-1), np.nan)
            if not np.any(alive):
                last = s
                break

    points, losses, grad_norms = points[: last + 1], losses[: last + 1], grad_norms[: last + 1]
    if batch == ():
        k = int(diverged_at)
        if k >= 0:
            message = f"diverged at step {k}: the iterate left |x| <= {max_norm:g} (or became NaN/inf)"
            return Trajectory(points, losses, grad_norms, k, message)
        return Trajectory(points, losses, grad_norms, None, f"ran {steps} steps")
    n_bad = int(np.sum(diverged_at >= 0))
    if n_bad:
        message = (f"{n_bad} of {diverged_at.size} trajectories diverged "
                   f"(the first at step {int(diverged_at[diverged_at >= 0].min())})")
    else:
        message = f"ran {steps} steps on {diverged_at.size} trajectories; none diverged"
    return Trajectory(points, losses, grad_norms, diverged_at, message)


# ----------------------------------------------------------------------------- fit: a network

__all__ += ["History", "fit", "train_softmax_regression"]

#: with ``progress=None``, ``fit`` shows a progress bar for a run of more optimizer steps than this
#: (epochs × mini-batches per epoch: decided by the work, never by a clock, so the same call shows
#: the same output on a fast and on a busy machine; 20 000 steps of a small MLP take a few seconds)
PROGRESS_AFTER_STEPS = 20_000


class History(dict):
    """What ``fit`` returns: a dict whose keys are also attributes (``h["val_acc"]`` is
    ``h.val_acc``).

    Per epoch (arrays of one value per epoch started): ``epoch`` (1, 2, …), ``loss`` and ``acc``
    (training loss and accuracy, averaged over the epoch's mini-batches as they were trained,
    in training mode), ``val_loss`` and ``val_acc`` (on the validation set after the epoch, in
    evaluation mode; NaN without one), ``lr`` (the first group's rate at the epoch's first step)
    and ``time`` (seconds spent training so far, validation not counted). Accuracies are NaN
    for a loss other than cross-entropy. Per step (``k = 1, 2, …``): ``step_loss``, ``step_lr``;
    with ``record_steps=True`` also ``grad_norms`` (shape ``(steps, n_linear)``: ``‖∂L/∂W‖`` of
    every ``Linear`` layer, input side first) and ``grad_norm`` (the norm of all gradients),
    both before clipping (``None`` otherwise). ``steps`` counts the steps taken.

    A run that diverged (a non-finite loss) has ``diverged_at`` (the step, else ``None``),
    ``diverged_epoch`` and NaN metrics for that last epoch; ``message`` says what happened.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def diverged(self) -> bool:
        return self["diverged_at"] is not None


def _whole_number(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}; got {value!r}")
    return int(value)


def _pair(name, pair, loss_name):
    if not (isinstance(pair, tuple | list) and len(pair) == 2):
        raise TypeError(f"{name} must be a pair (X, y); got {type(pair).__name__}")
    X, y = np.asarray(pair[0]), np.asarray(pair[1])
    if X.ndim != 2:
        raise ValueError(f"{name}: X must have shape (n_samples, n_features); got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"{name}: X and y must have the same length; got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    if loss_name == "cross_entropy" and y.dtype.kind not in "iu":
        raise TypeError(f"{name}: y must hold integer class labels for loss='cross_entropy'; got dtype {y.dtype}")
    return X, y


def _build_optimizer(model, optimizer, lr, weight_decay):
    """The optimizer, and for each of its parameters (group by group) the index of that
    array in ``model.parameters()``."""
    params = model.parameters()
    if isinstance(optimizer, _optim.Optimizer):
        if lr is not None or weight_decay is not None:
            raise TypeError("lr and weight_decay go to the optimizer's constructor; with an optimizer object, "
                            "set them there (or pass schedule=...)")
        opt = optimizer
    elif isinstance(optimizer, type) and issubclass(optimizer, _optim.Optimizer):
        kwargs = {k: v for k, v in (("lr", lr), ("weight_decay", weight_decay)) if v is not None}
        opt = optimizer(params, **kwargs)
    else:
        raise TypeError(f"optimizer must be a coursekit.optim class (e.g. optim.Adam) or an optimizer built on "
                        f"model.parameters(); got {optimizer!r}")
    index = {id(p): i for i, p in enumerate(params)}
    order = []
    for gi, group in enumerate(opt.param_groups):
        for p in group["params"]:
            if id(p) not in index:
                raise ValueError(f"optimizer: parameter group {gi} holds an array that is not one of "
                                 f"model.parameters(); build the optimizer on the model's own arrays")
            order.append(index[id(p)])
    return opt, order


def _evaluate(model, X, y, loss_fn, classify, chunk=4096):
    """Mean loss and accuracy of ``model`` on ``(X, y)`` in evaluation mode."""
    model.eval()
    try:
        total, correct = 0.0, 0
        for start in range(0, len(X), chunk):
            xb, yb = X[start:start + chunk], y[start:start + chunk]
            out = model.forward(xb)
            total += loss_fn(out, yb)[0] * len(xb)
            if classify:
                correct += int(np.count_nonzero(out.argmax(axis=1) == yb))
    finally:
        model.train()
    return total / len(X), (correct / len(X) if classify else math.nan)


_LOSS_CHOICES = "'cross_entropy', 'mse' or a function (output, y) -> (loss, dloss/doutput)"


def fit(model, train, *, epochs: int, batch_size: int = 32, optimizer=None, lr=None, weight_decay=None,
        val=None, loss="cross_entropy", schedule=None, schedule_per: str = "epoch", clip_value=None,
        clip_norm=None, record_steps: bool = False, seed=0, progress=None) -> History:
    r"""Train ``model`` (a ``coursekit.nn`` network) on ``train = (X, y)`` by mini-batch descent.

    Every epoch shuffles the data (a generator seeded by ``seed``: same call, same run) and
    takes one step per mini-batch of ``batch_size`` rows (the last one smaller):

    .. code-block:: text

        out = model.forward(X_b);  L, dout = loss(out, y_b);  model.backward(dout)
        g = model.gradients()
        g ← clip(g, −clip_value, clip_value)                       (if clip_value)
        g ← g · min(1, clip_norm / (‖g‖ + 1e-6)),  ‖g‖ over all    (if clip_norm; PyTorch's rule)
        optimizer.step(g)

    ``optimizer``: a ``coursekit.optim`` class (default ``SGD``), built as
    ``optimizer(model.parameters(), lr=lr, weight_decay=weight_decay)`` (each only if given),
    or an optimizer already built on the model's arrays, e.g. with per-layer rates through
    parameter groups, ``Adam([{"params": head, "lr": 1e-2}, {"params": body}], lr=1e-3)`` (a
    subset of the parameters trains only that subset).

    Learning rate over time: ``schedule`` is a function ``t -> lr`` (e.g.
    ``lambda t: schedules.cosine_annealing(t, 0.1, 20)``), evaluated at the epoch ``t = 0, 1,
    …`` before its first step (``schedule_per="epoch"``, like a PyTorch scheduler stepped per
    epoch) or at every step ``t = 0, 1, …`` (``schedule_per="step"``). It sets the first
    parameter group's rate; every other group keeps its initial ratio to the first (so a head
    that starts at 10× the body's rate stays at 10×). ``lr`` may also be a sequence of
    per-epoch rates (``lr[t]`` for epoch ``t``).

    ``loss``: ``"cross_entropy"`` (``nn.softmax_cross_entropy``, integer labels; accuracy is
    recorded), ``"mse"`` (``nn.mse``) or a function ``(output, y) -> (loss, ∂loss/∂output)``.
    ``val = (X_val, y_val)`` is evaluated after every epoch in evaluation mode.

    A non-finite loss stops the run: ``history.diverged_at`` is the step, ``history.message``
    says ``"diverged at step k (epoch e)"``; no overflow warnings are shown. ``progress``:
    ``True`` shows a ``tqdm`` bar, ``False`` never, ``None`` when the run takes more than
    ``PROGRESS_AFTER_STEPS`` optimizer steps (epochs × mini-batches per epoch). The model's
    train/eval mode is restored at the end.
    Returns a ``History``.
    """
    epochs = _whole_number("epochs", epochs, 1)
    batch_size = _whole_number("batch_size", batch_size, 1)
    if isinstance(loss, str):
        losses = {"cross_entropy": _nn.softmax_cross_entropy, "mse": _nn.mse}
        if loss not in losses:
            raise ValueError(f"loss must be {_LOSS_CHOICES}; got {loss!r}")
        loss_fn, classify = losses[loss], loss == "cross_entropy"
    elif callable(loss):
        loss_fn, classify = loss, loss is _nn.softmax_cross_entropy
    else:
        raise TypeError(f"loss must be {_LOSS_CHOICES}; got {loss!r}")
    loss_name = loss if isinstance(loss, str) else None
    X, y = _pair("train", train, loss_name)
    X_val, y_val = _pair("val", val, loss_name) if val is not None else (None, None)
    for name, c in (("clip_value", clip_value), ("clip_norm", clip_norm)):
        if c is not None and not (isinstance(c, int | float | np.floating | np.integer) and c > 0):
            raise ValueError(f"{name} must be a number > 0 (or None); got {c!r}")
    if schedule_per not in ("epoch", "step"):
        raise ValueError(f"schedule_per must be 'epoch' or 'step'; got {schedule_per!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function t -> lr; got {schedule!r}")
    if lr is not None and np.ndim(lr) == 1:  # per-epoch rates
        if schedule is not None:
            raise TypeError("give either a sequence of per-epoch rates as lr or a schedule, not both")
        rates = np.asarray(lr, dtype=float)
        if len(rates) < epochs:
            raise ValueError(f"lr holds {len(rates)} per-epoch rates, but epochs={epochs}")
        schedule, schedule_per = (lambda t: rates[t]), "epoch"
        lr = None if isinstance(optimizer, _optim.Optimizer) else float(rates[0])
    elif lr is not None and not np.ndim(lr) == 0:
        raise ValueError(f"lr must be a number or a sequence of per-epoch rates; got an array of shape {np.shape(lr)}")

    opt, order = _build_optimizer(model, _optim.SGD if optimizer is None else optimizer, lr, weight_decay)
    groups = opt.param_groups
    base = groups[0]["lr"]
    ratios = [1.0 if base == 0 else g["lr"] / base for g in groups]

    def set_lr(t):
        value = schedule(t)
        try:
            value = float(value)
        except TypeError:
            raise TypeError(f"schedule({t}) must return one number; got {value!r}") from None
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"schedule({t}) = {value!r}: a learning rate must be a finite number >= 0")
        for group, ratio in zip(groups, ratios, strict=True):
            group["lr"] = value * ratio

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    linears = _nn.linear_layers(model) if record_steps else []
    skip_input_grad = isinstance(model, _nn.Sequential | _nn.Linear)
    was_training = getattr(model, "training", True)
    h = {k: [] for k in ("loss", "acc", "val_loss", "val_acc", "lr", "time", "step_loss", "step_lr",
                         "grad_norms", "grad_norm")}
    step, diverged_at, diverged_epoch, elapsed, bar = 0, None, None, 0.0, None
    planned_steps = epochs * -(-len(X) // batch_size)
    if progress is True or (progress is None and planned_steps > PROGRESS_AFTER_STEPS):
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, unit="epoch", desc="fit")
    model.train()
    try:
        with np.errstate(all="ignore"):  # divergence is detected from the loss, not by warnings
            for epoch in range(epochs):
                start = time.perf_counter()
                if schedule is not None and schedule_per == "epoch":
                    set_lr(epoch)
                first = len(h["step_lr"])
                total, correct = 0.0, 0
                for xb, yb in _data.minibatches(X, y, batch_size, rng):
                    if schedule is not None and schedule_per == "step":
                        set_lr(step)
                    out = model.forward(xb)
                    value, dout = loss_fn(out, yb)
                    step += 1
                    h["step_loss"].append(value)
                    h["step_lr"].append(groups[0]["lr"])
                    if not math.isfinite(value):
                        diverged_at, diverged_epoch = step, epoch + 1
                        break
                    total += value * len(yb)
                    if classify:
                        correct += int(np.count_nonzero(out.argmax(axis=1) == yb))
                    if skip_input_grad:
                        model.backward(dout, input_grad=False)
                    else:
                        model.backward(dout)
                    grads = model.gradients()
                    if record_steps:
                        h["grad_norms"].append([math.sqrt(np.vdot(lin.dW, lin.dW)) for lin in linears])
                        h["grad_norm"].append(math.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
                    if clip_value is not None:
                        grads = [np.clip(g, -clip_value, clip_value) for g in grads]
                    if clip_norm is not None:
                        norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
                        if not norm <= clip_norm:  # also NaN: the step turns the parameters NaN
                            factor = clip_norm / (norm + 1e-6)
                            grads = [g * factor for g in grads]
                    opt.step([grads[i] for i in order])
                elapsed += time.perf_counter() - start
                h["time"].append(elapsed)
                h["lr"].append(h["step_lr"][first] if len(h["step_lr"]) > first else groups[0]["lr"])
                if diverged_at is not None:
                    for key in ("loss", "acc", "val_loss", "val_acc"):
                        h[key].append(math.nan)
                    break
                h["loss"].append(total / len(X))
                h["acc"].append(correct / len(X) if classify else math.nan)
                val_loss, val_acc = (_evaluate(model, X_val, y_val, loss_fn, classify) if X_val is not None
                                     else (math.nan, math.nan))
                h["val_loss"].append(val_loss)
                h["val_acc"].append(val_acc)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{h['loss'][-1]:.4g}",
                                    **({"val_acc": f"{val_acc:.3f}"} if math.isfinite(val_acc) else {}))
    finally:
        if bar is not None:
            bar.close()
        if was_training:
            model.train()
        else:
            model.eval()

    history = History({key: np.asarray(h[key], dtype=float) for key in
                       ("loss", "acc", "val_loss", "val_acc", "lr", "time", "step_loss", "step_lr")})
    history["epoch"] = np.arange(1, len(history["loss"]) + 1)
    history["grad_norms"] = np.asarray(h["grad_norms"], dtype=float).reshape(-1, len(linears)) if record_steps else None
    history["grad_norm"] = np.asarray(h["grad_norm"], dtype=float) if record_steps else None
    history["steps"] = step
    history["diverged_at"], history["diverged_epoch"] = diverged_at, diverged_epoch
    if diverged_at is not None:
        history["message"] = (f"diverged at step {diverged_at} (epoch {diverged_epoch}): the loss became "
                              f"{h['step_loss'][-1]!r}; try a smaller learning rate or gradient clipping")
    else:
        history["message"] = f"trained {epochs} epochs ({step} steps of batch size {batch_size})"
    return history


# ----------------------------------------------------------------------------- chapter 2: batch size


def train_softmax_regression(X, y, batch_size: int, lr: float, epochs: int = 2, seed: int = 0,
                             checkpoints_per_epoch: int = 10, n_classes: int | None = None) -> dict:
    """Mini-batch SGD on softmax regression (``nn.Linear`` + ``nn.softmax_cross_entropy``), for chapter 2.

    Every epoch shuffles the ``N`` examples (``np.random.default_rng(seed)``) and takes
    ``ceil(N / batch_size)`` steps, the last batch possibly smaller. The full training loss is
    recorded at the start and about ``checkpoints_per_epoch`` times an epoch. Returns a dict
    with ``epoch`` (examples seen / N at each record), ``updates`` (steps taken), ``loss``,
    ``seconds`` (wall-clock training time up to each record, not counting the time spent
    evaluating the recorded losses) and the trained ``model``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    n = X.shape[0]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be a whole number in [1, {n}]; got {batch_size!r}")
    k = int(n_classes if n_classes is not None else y.max() + 1)
    model = _nn.Linear(X.shape[1], k, seed=seed)
    opt = _optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    steps_per_epoch = -(-n // batch_size)
    every = max(1, steps_per_epoch // checkpoints_per_epoch)

    def full_loss():
        return float(_nn.softmax_cross_entropy(model.forward(X), y)[0])

    epoch, updates, loss, seconds = [0.0], [0], [full_loss()], [0.0]
    seen, step, elapsed = 0, 0, 0.0
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for s in range(steps_per_epoch):
                idx = order[s * batch_size:(s + 1) * batch_size]
                _, dlogits = _nn.softmax_cross_entropy(model.forward(X[idx]), y[idx])
                model.backward(dlogits)
                opt.step(model.gradients())
                seen += len(idx)
                step += 1
                if step % every == 0 or s == steps_per_epoch - 1:
                    elapsed += time.perf_counter() - start
                    seconds.append(elapsed)
                    epoch.append(seen / n)
                    updates.append(step)
                    loss.append(full_loss())
                    start = time.perf_counter()
                    if not np.isfinite(loss[-1]):
                        break
            if not np.isfinite(loss[-1]):
                break
    return {"epoch": np.array(epoch), "updates": np.array(updates), "loss": np.array(loss),
            "seconds": np.array(seconds), "model": model}
