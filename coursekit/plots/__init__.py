"""Drawing: functions that take data (and a Matplotlib axes) and draw it; no computation."""

from .contours import COLORS, contour, trajectory_line

__all__ = ["COLORS", "contour", "trajectory_line"]
