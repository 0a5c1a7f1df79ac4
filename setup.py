"""What pyproject.toml cannot say: the repository keeps the design's top-level `core/`, `gui/`, `training/`
and `resources/`, and they install as `miwake.core`, `miwake.gui`, `miwake.training` and `miwake/resources`.

The wheel and the editable install need no links: `package_dir` maps each folder directly. How a checkout serves
the same namespace to Python and to the tools that walk the file tree: `miwake/layout.py`.
"""

from pathlib import Path

from setuptools import find_packages, setup

PARTS = ("core", "gui", "training")
SKIP = {"__pycache__"}
# Every folder of resources/ is a data package (`miwake.resources.models.default`, ...): setuptools installs
# their files as package data and `importlib.resources` finds them.
RESOURCE_DIRS = sorted(
    ".".join(("miwake", "resources", *d.relative_to("resources").parts))
    for d in Path("resources").rglob("*")
    if d.is_dir() and not SKIP & set(d.parts)
)

setup(
    packages=[
        "miwake",
        "miwake.resources",
        *RESOURCE_DIRS,
        *(f"miwake.{top}{'.' + sub if sub else ''}" for top in PARTS for sub in ("", *find_packages(top))),
    ],
    package_dir={"miwake": "miwake", "miwake.resources": "resources", **{f"miwake.{top}": top for top in PARTS}},
    package_data={pkg: ["*"] for pkg in ("miwake.resources", *RESOURCE_DIRS)},
    exclude_package_data={"": [".gitkeep", "*.part", ".DS_Store", "*.pyc"]},
)
