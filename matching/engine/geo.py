"""Distances on the Earth's surface, for scalars and numpy arrays alike."""

import math
import numbers

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in degrees.

    Works on floats (returns a float) and on numpy arrays, which broadcast.
    """
    if all(isinstance(value, numbers.Real) for value in (lat1, lon1, lat2, lon2)):
        # math is ten times faster than numpy on single numbers.
        lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))
    lat1, lon1, lat2, lon2 = (np.radians(value) for value in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    # Rounding can push `a` a hair above 1 for antipodes; arcsin would give nan.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def unit_vectors(lat, lon):
    """Points in degrees as unit vectors (x, y, z), each an array of the input's shape."""
    lat, lon = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_lat = np.cos(lat)
    return cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)


class PointSet:
    """Many points, prepared once so distances from one point cost no sine per point.

    The great-circle distance is computed from the chord between unit vectors,
    2R·asin(chord/2), which is the haversine formula rearranged: the same value
    to rounding, and as accurate at a few metres as at a few thousand km.
    """

    def __init__(self, lat, lon):
        self.x, self.y, self.z = unit_vectors(lat, lon)

    def __len__(self):
        return len(self.x)

    def distances_km(self, lat, lon, indexes=None):
        """Distances in km from a point to every point of the set, or to those at `indexes`.

        With arrays of B origins the result has shape (B, number of points).
        """
        x, y, z = (
            (self.x, self.y, self.z)
            if indexes is None
            else (
                self.x[indexes],
                self.y[indexes],
                self.z[indexes],
            )
        )
        ox, oy, oz = unit_vectors(lat, lon)
        ox, oy, oz = (np.asarray(value)[..., np.newaxis] for value in (ox, oy, oz))
        chord_sq = (x - ox) ** 2
        chord_sq += (y - oy) ** 2
        chord_sq += (z - oz) ** 2
        np.sqrt(chord_sq, out=chord_sq)
        chord_sq *= 0.5
        np.minimum(chord_sq, 1.0, out=chord_sq)
        np.arcsin(chord_sq, out=chord_sq)
        chord_sq *= 2 * EARTH_RADIUS_KM
        return chord_sq
