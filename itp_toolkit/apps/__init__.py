"""Whole pages, composed from the widgets: what the notebooks in ``notebooks/`` display."""

from .trainee import TraineeWorkspace, trainee_workspace

__all__ = ["TraineeWorkspace", "trainee_workspace"]
from .supervisor import supervisor_review

__all__ += ["supervisor_review"]
