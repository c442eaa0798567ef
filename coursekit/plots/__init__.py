"""Drawing: functions that take data (and a Matplotlib axes) and draw it; no computation."""

from .contours import COLORS, contour, trajectory_line
from .curves import loss_curves, reference_slope, vline
from .gradnorms import activation_plot, layer_bars, layer_histograms, layer_norms
from .heatmap import rate_heatmap
from .schedules import halving_plot, mark_values, range_test_plot, schedule_curves

__all__ = [
    "COLORS",
    "activation_plot",
    "contour",
    "halving_plot",
    "layer_bars",
    "layer_histograms",
    "layer_norms",
    "loss_curves",
    "mark_values",
    "range_test_plot",
    "rate_heatmap",
    "reference_slope",
    "schedule_curves",
    "trajectory_line",
    "vline",
]
