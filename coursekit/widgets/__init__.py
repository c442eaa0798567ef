"""Sliders and interactive explorers: a slider move re-runs a computation of ``coursekit`` and
redraws only what changed (``base.Explorer``). One module per chapter's explorers."""

from .adaptive import adaptive_explorer
from .base import Explorer, gamma_slider, lr_slider
from .depth import GradientNormExplorer, NormalizationExplorer, activation_dropdown, depth_slider, scale_slider
from .descent import StepSizeExplorer
from .direction import DirectionExplorer, angle_slider
from .minibatch import MinibatchExplorer, batch_size_slider
from .momentum import MultiFunctionExplorer, RateMapExplorer, momentum_explorer
from .schedule import ScheduleExplorer
from .trajectories import TrajectoryExplorer

__all__ = [
    "DirectionExplorer",
    "Explorer",
    "GradientNormExplorer",
    "MinibatchExplorer",
    "MultiFunctionExplorer",
    "NormalizationExplorer",
    "RateMapExplorer",
    "ScheduleExplorer",
    "StepSizeExplorer",
    "TrajectoryExplorer",
    "activation_dropdown",
    "adaptive_explorer",
    "angle_slider",
    "batch_size_slider",
    "depth_slider",
    "gamma_slider",
    "lr_slider",
    "momentum_explorer",
    "scale_slider",
]
