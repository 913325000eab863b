"""What front ends run on top of the store: the workspace (a folder with its config, store and case library;
the demo) and the draft session (autosave's state machine). Store layer: they call ``PlanStore`` only.
"""
