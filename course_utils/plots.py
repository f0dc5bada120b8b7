"""Plot style: colour-blind-safe palette (Okabe-Ito) and readable defaults."""

from __future__ import annotations

import matplotlib as mpl

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
# A perceptually uniform, colour-blind-friendly map for heatmaps.
SEQUENTIAL_CMAP = "cividis"


def use_course_style() -> None:
    """Apply the course's matplotlib defaults (palette, grid, sizes)."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.frameon": False,
            "image.cmap": SEQUENTIAL_CMAP,
        }
    )
