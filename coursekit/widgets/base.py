"""Sliders and the ``Explorer``: a figure whose artists a slider move updates in place.

An explorer builds its figure once (``setup``: contours, axes, empty lines), and on every
slider move only recomputes and resets the data of its *dynamic* artists (``update``), then
redraws by blitting: the static background is rendered once and cached, and each move
restores it and draws just the dynamic artists on top. The figure lives on an ipympl canvas,
so the browser receives only the pixels that changed.

``update(**values)`` is an ordinary method: tests and benchmarks call it directly with slider
values and inspect the artists. Displayed in a notebook, an explorer shows its sliders above
its figure; a viewer without a kernel (a code-hosting site) sees a PNG of the first state.
"""

from __future__ import annotations

import base64
import io
import itertools
import math

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["lr_slider", "gamma_slider", "Explorer"]

_figure_numbers = itertools.count(1000)


def lr_slider(value: float = 0.1, min: float = 1e-4, max: float = 10.0, description: str = "α (lr)",
              steps_per_decade: int = 20, **kwargs) -> W.FloatLogSlider:
    """A log-scale learning-rate slider from ``min`` to ``max``."""
    if not 0 < min < max:
        raise ValueError(f"need 0 < min < max for a log-scale slider; got min={min}, max={max}")
    if not min <= value <= max:
        raise ValueError(f"value must lie in [min, max] = [{min:g}, {max:g}]; got {value}")
    return W.FloatLogSlider(value=value, base=10, min=math.log10(min), max=math.log10(max),
                            step=1 / steps_per_decade, description=description, readout_format=".3g",
                            continuous_update=True, style={"description_width": "initial"}, **kwargs)


def gamma_slider(value: float = 0.9, min: float = 0.0, max: float = 0.99, step: float = 0.01,
                 description: str = "γ (momentum)", **kwargs) -> W.FloatSlider:
    """A linear slider for a decay rate or momentum coefficient ``γ`` in ``[min, max]``."""
    if not min <= value <= max:
        raise ValueError(f"value must lie in [min, max] = [{min:g}, {max:g}]; got {value}")
    return W.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         readout_format=".2f", continuous_update=True,
                         style={"description_width": "initial"}, **kwargs)


def _ipympl_canvas(figure: Figure):
    """An ipympl canvas for ``figure``, without registering it with pyplot (so no second,
    pyplot-managed copy of the figure is ever shown)."""
    import matplotlib

    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager

    if matplotlib.get_backend() != backend:  # importing ipympl switches pyplot to the widget backend;
        matplotlib.use(backend)  # keep the notebook's (inline) backend for its static figures
    canvas = Canvas(figure)
    FigureManager(canvas, next(_figure_numbers))
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    return canvas


class Explorer:
    """Base class: sliders (``controls``) driving one figure.

    Subclasses implement
    - ``setup(figure)``: draw what never changes and create the dynamic artists, registering
      each with ``self.dynamic(artist)``;
    - ``update(**values)``: recompute from the slider values and set the dynamic artists'
      data. Return ``True`` when something outside the dynamic artists changed (axis
      limits, say) so the whole figure must be redrawn; otherwise a blit suffices.
    """

    def __init__(self, controls: dict, figsize=(8.0, 3.6), dpi: int = 72):
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.canvas = _ipympl_canvas(self.figure)
        self._dynamic: list = []
        self._background = None
        self.setup(self.figure)
        self.update(**self.values())
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = W.VBox([W.HBox(list(self.controls.values())), self.canvas])

    # -- to implement ---------------------------------------------------------------
    def setup(self, figure: Figure) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, **values) -> bool | None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- machinery ------------------------------------------------------------------
    def dynamic(self, artist):
        """Register ``artist`` as one that ``update`` changes; returns it."""
        self._dynamic.append(artist)
        return artist

    def values(self) -> dict:
        """The current slider values, by control name."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change=None):
        full = self.update(**self.values())
        self.redraw(full=bool(full))

    def redraw(self, full: bool = False) -> None:
        """Render the change: restore the cached background and draw the dynamic artists
        over it (``full=True`` re-renders the background first)."""
        canvas = self.canvas
        if full or self._background is None or self._background_size != canvas.get_width_height():
            for artist in self._dynamic:
                artist.set_visible(False)
            FigureCanvasAgg.draw(canvas)  # render into the canvas buffer, send nothing yet
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._background_size = canvas.get_width_height()
            for artist in self._dynamic:
                artist.set_visible(True)
        canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.figure.draw_artist(artist)
        canvas.blit(self.figure.bbox)

    def png(self) -> bytes:
        """The figure as it stands, as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")  # for viewers without a kernel
        bundle["text/plain"] = f"<{type(self).__name__}: {', '.join(self.controls)}>"
        return bundle
