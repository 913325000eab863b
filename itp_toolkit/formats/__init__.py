"""Plans and cases in and out of the toolkit: YAML/JSON files with located errors, printable Markdown, and
FHIR R4B Bundles. Pure functions of the model; nothing here knows the store or the pages.
"""
