"""Libraries a programme maintains: teaching cases, evidence-based interventions, rubrics' data, and the
privacy check every case must pass. Formats below (files), checks above.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
"""The toolkit's own data files: the default rubric and the intervention library."""
