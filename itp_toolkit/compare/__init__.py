"""Comparing plans: one draft's revisions with each other (and, later, drafts with each other)."""

from .revision_diff import Change, changes_html, changes_text, describe_change, diff_revisions

__all__ = ["Change", "changes_html", "changes_text", "describe_change", "diff_revisions"]
from .agreement import agreement_summary, percent_agreement, scores_frame, weighted_kappa
from .alignment import align_plans, element_similarity, greedy_match, side_by_side, text_similarity
from .cohort import (
    CohortDraft,
    annotation_anchors,
    choices_frame,
    cohort_table,
    group_anchors,
    similarity_matrix,
    trainee_labels,
)

__all__ += [
    "CohortDraft",
    "agreement_summary",
    "align_plans",
    "annotation_anchors",
    "choices_frame",
    "cohort_table",
    "element_similarity",
    "greedy_match",
    "group_anchors",
    "percent_agreement",
    "scores_frame",
    "side_by_side",
    "similarity_matrix",
    "text_similarity",
    "trainee_labels",
    "weighted_kappa",
]
