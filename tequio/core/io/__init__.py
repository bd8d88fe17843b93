"""Data in and out of Tequio.

``tabular``: CSV/XLSX import and export of a community's organizations and people.
``community_export``: the full JSON export of one community, and its import.
``backup``: the whole instance to one file and back.

Imports write through the core services, so a row is accepted exactly when the
same data typed into a form would be. See docs/data.md.
"""
