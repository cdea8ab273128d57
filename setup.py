"""Only the package list, which pyproject.toml cannot give: the code packages found as
usual plus the two resource packages that pyproject.toml maps from the top-level
ontology/ and data/ folders ([tool.setuptools.package-dir])."""
from setuptools import find_packages, setup

RESOURCE_PACKAGES = ["kg._ontology", "kg._data"]

setup(packages=find_packages(include=["kg", "kg.*", "search", "search.*", "api", "api.*"])
      + RESOURCE_PACKAGES)
