"""Sliders and interactive explorers (a slider move re-runs a computation and redraws)."""

from .base import Explorer, gamma_slider, lr_slider
from .trajectories import TrajectoryExplorer

__all__ = ["Explorer", "TrajectoryExplorer", "gamma_slider", "lr_slider"]
