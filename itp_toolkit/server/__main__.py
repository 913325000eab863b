"""``python -m itp_toolkit.server``: the toolkit's Voila (see ``app``), run by ``itp serve``."""

from .app import main

main()
