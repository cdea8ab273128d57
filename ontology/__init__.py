"""Installed as the package resource `kg._ontology` (see pyproject.toml and kg/resources.py).

This folder stays the user's top-level ontology/; the build maps it into the wheel so
that an installed tckg finds these files with importlib.resources. The file exists
only because an editable install (`pip install -e .`) finds a mapped folder by it.
"""
