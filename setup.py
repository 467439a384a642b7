"""Packaging beyond setup.cfg: the built-in templates.

The report and receipt templates live in the top-level ``templates/`` folder
of the repository, where the project's layout puts them, and install inside
the package as ``lpsectl/templates/`` (a folder of data files, no Python),
so ``pip install .`` ships them; ``pip install -e .`` reads them in place.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["lpsectl", "lpsectl.*"]), "lpsectl.templates"],
    package_dir={"lpsectl.templates": "templates"},
)
