"""Comparing plans: one draft's revisions with each other (and, later, drafts with each other)."""

from .revision_diff import Change, changes_html, changes_text, describe_change, diff_revisions

__all__ = ["Change", "changes_html", "changes_text", "describe_change", "diff_revisions"]
