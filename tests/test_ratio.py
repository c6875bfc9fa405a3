from decimal import Decimal as D

import pytest

from extractor.analysis.ratio import compute_ratio

CASES = [
    ("rnd favoured", D(200), D(100), 2.0, "rnd"),
    ("selling favoured", D(100), D(300), -3.0, "selling"),
    ("equal", D(100), D(100), 1.0, "rnd"),
    ("rnd zero", D(0), D(100), None, "selling"),
    ("selling zero", D(100), D(0), None, "rnd"),
    ("both zero", D(0), D(0), None, None),
    ("rnd missing", None, D(100), None, None),
    ("negative", D(-5), D(100), None, None),
]


@pytest.mark.parametrize("rnd,sel,value,orientation", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_signed_multiple(rnd, sel, value, orientation):
    r = compute_ratio(rnd, sel, D(1000))
    assert r["value"] == value and r["orientation"] == orientation
    if value is None:
        assert r["note"] or orientation


def test_other_definitions_and_intensities():
    r = compute_ratio(D(50), D(100), D(1000), "normalised_difference")
    assert r["value"] == pytest.approx(-1 / 3, abs=1e-6)
    assert r["signed_multiple"] == -2.0 and r["log_ratio"] == pytest.approx(-0.693147, abs=1e-6)
    assert r["rnd_intensity"] == 0.05 and r["selling_intensity"] == 0.1


def test_zero_gives_bounded_normalised_difference():
    assert compute_ratio(D(0), D(10), None)["normalised_difference"] == -1.0


def test_unknown_definition():
    with pytest.raises(ValueError, match="unknown ratio definition"):
        compute_ratio(D(1), D(1), None, "bogus")
