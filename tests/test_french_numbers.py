"""Numbers written the French way in the HTML (tnl/site/french/numbers.py): which columns are quantities, and how."""
from __future__ import annotations

import pytest

from tnl.site.french.numbers import french_number, is_quantity, number_cell


@pytest.mark.parametrize("value, expected", [
    (0, "0"), (999, "999"), (1000, "1\u202f000"), (5563378, "5\u202f563\u202f378"), (-12345, "-12\u202f345"),
    (44.9, "44,9"), (100.0, "100"), (1234.5, "1\u202f234,5"), (-0.25, "-0,25"), (0.1 + 0.2, "0,30000000000000004"),
    ("12", "12"), (None, "None"), (True, "True"),
])
def test_french_number(value, expected):
    assert french_number(value) == expected


@pytest.mark.parametrize("column", ["population", "Population couverte", "Part couverte (%)", "mean", "Moyenne",
                                    "editions_count", "Éditions", "Territoires distingués", "latitude"])
def test_quantities(column):
    assert is_quantity(column)


@pytest.mark.parametrize("column", ["edition", "latest_edition", "Première édition", "Dernière édition", "Édition",
                                    "population_year", "Code région", "cog_code", "distinction_rank", "Rang",
                                    "Depuis", "Jusqu’à", "territory_id", "Identifiant", "rowid", "siren", "date"])
def test_years_codes_ranks_and_identifiers_are_not_quantities(column):
    assert not is_quantity(column)


def test_number_cell_leaves_text_and_labels_alone():
    assert number_cell("population", 36000) == "36\u202f000"
    assert number_cell("edition", 2024) is None
    assert number_cell("population", "36000") is None
    assert number_cell("suppressed", True) is None
