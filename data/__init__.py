"""Installed as the package resource `kg._data` (see pyproject.toml and kg/resources.py).

This folder stays the user's top-level data/; the build maps it into the wheel so
that an installed tckg finds the source plans, the curated labels and the CSV
template with importlib.resources. The file exists only because an editable install
(`pip install -e .`) finds a mapped folder by it.
"""
