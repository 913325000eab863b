"""The privacy check: HIPAA Safe Harbor identifiers in free text.

Teaching cases must be synthetic and de-identified (45 CFR 164.514(b)(2)); a real name, town, date or record
number slipping into a case file, a quote or a teaching note is the mistake this module exists to catch.

Detection is Presidio (presidio-analyzer) over a small offline spaCy English model, plus pattern recognizers
for what Presidio lacks (medical record numbers, ZIP codes, ages over 89, health-plan ids, licences,
vehicles, devices, fax numbers) and filters for what it gets wrong in clinical text (scores, doses,
diagnostic codes, week numbers, instrument names and US states/regions are not identifiers).

``scan_text(text)`` returns ``PrivacyFinding``s; ``python -m itp_toolkit.library.privacy --evaluate
tests/privacy_corpus.yaml``
measures precision and recall on the labelled corpus (see docs/privacy.md).
"""

from __future__ import annotations

from .engine import SPACY_MODEL, PrivacyCheckUnavailable, analyzer
from .evaluate import Evaluation, evaluate, evaluation_markdown, load_corpus
from .scan import PrivacyFinding, scan_text
from .words import CATEGORIES

__all__ = [
    "CATEGORIES",
    "SPACY_MODEL",
    "Evaluation",
    "PrivacyCheckUnavailable",
    "PrivacyFinding",
    "analyzer",
    "evaluate",
    "evaluation_markdown",
    "load_corpus",
    "scan_text",
]
