"""The Colab install cell: the first code cell of every notebook (``tools/colab_cell.py`` puts it
there). On Colab it pip-installs the course's pinned release from the repository (runtime
dependencies only: Colab brings Jupyter); anywhere else it does nothing and prints nothing.

pip keeps what is already installed when it satisfies the course's floors (Colab's torch,
numpy, pandas...), so no runtime restart is needed. This is the notebooks' only install line.
"""

from __future__ import annotations

from .release import release

CELL_ID = "colab-install"
TAG = "colab"


def colab_cell_source() -> str:
    """The cell's source: short, commented, the same in every notebook."""
    rel = release()
    return "\n".join([
        f"# On Google Colab only: install this course's helpers (release {rel.tag}) from",
        "# its repository. Colab's own PyTorch and NumPy are kept, so no restart is needed.",
        "# Anywhere else (your computer, Binder, a workshop hub) this cell does nothing.",
        "import os",
        "import subprocess",
        "import sys",
        "",
        'if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:',
        f'    package = "{rel.requirement()}"',
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)',
    ])


def colab_cell() -> dict:
    """The whole cell as stored in a notebook (nbformat 4.5: with an id), without outputs."""
    lines = colab_cell_source().splitlines(keepends=True)
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID,
            "metadata": {"tags": [TAG]}, "outputs": [], "source": lines}
