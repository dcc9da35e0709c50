"""Vote scores: Wilson lower bound (sorting, DF-QuAD base) and controversy."""

import pytest

from threads.analysis.scores import controversy, wilson_lower_bound


@pytest.mark.parametrize(
    ("up", "down", "expected"),
    [
        (0, 0, 0.0),  # no votes: nothing to go on
        (0, 1, 0.0),
        (1, 0, 0.37843),  # p = 1: n / (n + z²) = 1 / 2.64250
        (10, 0, 0.858922),  # 10 / 11.64250
        (8, 2, 0.601588),
        (3, 1, 0.43253),
        (50, 50, 0.43644),
    ],
)
def test_wilson_lower_bound_known_values(up, down, expected):
    assert wilson_lower_bound(up, down) == pytest.approx(expected, abs=1e-5)


def test_wilson_lower_bound_with_z_196_matches_the_textbook_value():
    # Evan Miller's example scale: one up-vote at 95% is 1 / (1 + 1.96²) = 0.2065.
    assert wilson_lower_bound(1, 0, z=1.96) == pytest.approx(0.206543, abs=1e-6)


def test_more_votes_at_the_same_share_rank_higher():
    assert wilson_lower_bound(40, 10) > wilson_lower_bound(4, 1) > wilson_lower_bound(0, 0)


def test_controversy_rewards_many_evenly_split_votes():
    assert controversy(5, 5) == pytest.approx(10.0)
    assert controversy(10, 5) == pytest.approx(15**0.5)
    assert controversy(50, 50) > controversy(5, 5) > controversy(10, 5)


def test_one_sided_posts_are_not_controversial():
    assert controversy(5, 0) == 0.0
    assert controversy(0, 7) == 0.0
    assert controversy(0, 0) == 0.0
