"""ITP Toolkit: clinical supervision and training for Individualized Treatment Plans."""

__version__ = "0.1.0"
