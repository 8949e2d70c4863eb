import numpy as np
import pytest

from matching.engine.geo import PointSet, haversine_km

MUSASHI_SAKAI = (35.7023, 139.5434)
KICHIJOJI = (35.7033, 139.5797)


def test_known_distance_between_stations():
    assert haversine_km(*MUSASHI_SAKAI, *KICHIJOJI) == pytest.approx(3.3, abs=0.2)


def test_float_in_float_out_and_symmetric():
    there = haversine_km(*MUSASHI_SAKAI, *KICHIJOJI)
    back = haversine_km(*KICHIJOJI, *MUSASHI_SAKAI)
    assert isinstance(there, float)
    assert there == pytest.approx(back)
    assert haversine_km(*KICHIJOJI, *KICHIJOJI) == 0.0


def test_arrays_broadcast():
    lats = np.array([MUSASHI_SAKAI[0], KICHIJOJI[0]])
    lons = np.array([MUSASHI_SAKAI[1], KICHIJOJI[1]])
    distances = haversine_km(*MUSASHI_SAKAI, lats, lons)
    assert distances.shape == (2,)
    assert distances[0] == 0.0
    assert distances[1] == pytest.approx(haversine_km(*MUSASHI_SAKAI, *KICHIJOJI))


def test_point_set_agrees_with_haversine_from_metres_to_continents():
    rng = np.random.default_rng(7)
    lats = np.concatenate([rng.uniform(35.70, 35.72, 50), rng.uniform(-80, 80, 50)])
    lons = np.concatenate([rng.uniform(139.53, 139.59, 50), rng.uniform(-180, 180, 50)])
    points = PointSet(lats, lons)
    origins = np.array([35.71, 35.7023]), np.array([139.56, 139.5434])
    expected = haversine_km(origins[0][:, None], origins[1][:, None], lats, lons)
    assert np.allclose(points.distances_km(*origins), expected, rtol=1e-9, atol=1e-9)
    assert points.distances_km(*MUSASHI_SAKAI).shape == (100,)
