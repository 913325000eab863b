"""Runnable benchmarks (not part of the installed package); a package so the scripts, ``run_all.py`` and
the tests share ``benchmarks._results``."""
