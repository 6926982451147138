"""The supply sharing and shortfall rules in ``fulfilment.allocation``."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulfilment.allocation import PRIORITY_TIERS, Offer, cut_for_shortfall, share_out

D = Decimal
RANK = {tier: rank for rank, tier in enumerate(PRIORITY_TIERS)}


def test_priority_households_are_filled_before_others():
    offers = [
        Offer(1, "other", D(10)),
        Offer(2, "formerly_poor", D(4)),
        Offer(3, "monitored", D(5)),
    ]
    assert share_out(D(7), offers) == {1: D(0), 2: D(2), 3: D(5)}


def test_remaining_tier_shares_in_proportion_to_offers():
    offers = [Offer(1, "other", D(30)), Offer(2, "other", D(10)), Offer(3, "other", D(20))]
    assert share_out(D(30), offers) == {1: D(15), 2: D(5), 3: D(10)}


def test_largest_remainder_gets_the_odd_unit_and_ties_go_to_the_smaller_id():
    # 10 eggs over offers 6/6/3: exact shares 4, 4, 2 -> no remainder.
    # 7 eggs over 6/6/3: exact 2.8, 2.8, 1.4 -> floors 2, 2, 1; two units to the .8s.
    offers = [Offer(7, "other", D(6)), Offer(5, "other", D(6)), Offer(9, "other", D(3))]
    assert share_out(D(7), offers) == {7: D(3), 5: D(3), 9: D(1)}
    # 1 egg over equal offers: the tie goes to the smaller household id, whatever the order.
    tied = [Offer(8, "other", D(2)), Offer(3, "other", D(2))]
    assert share_out(D(1), tied) == {8: D(0), 3: D(1)}
    assert share_out(D(1), list(reversed(tied))) == {8: D(0), 3: D(1)}


def test_half_jin_steps():
    offers = [Offer(1, "other", D("3.5")), Offer(2, "other", D("1.5"))]
    shares = share_out(D("2.5"), offers, step=D("0.5"))
    assert shares == {1: D("2.0"), 2: D("0.5")}


def test_nothing_sold_gives_everyone_zero():
    assert share_out(D(0), [Offer(1, "monitored", D(3))]) == {1: D(0)}
    assert share_out(D(0), []) == {}


@pytest.mark.parametrize(
    ("sold", "offers", "step", "message"),
    [
        (D(11), [Offer(1, "other", D(10))], D(1), "exceeds"),
        (D(-1), [Offer(1, "other", D(10))], D(1), "negative"),
        (D("1.5"), [Offer(1, "other", D(10))], D(1), "multiple of the step"),
        (D(1), [Offer(1, "vip", D(10))], D(1), "unknown priority"),
        (D(1), [Offer(1, "other", D(1)), Offer(1, "other", D(1))], D(1), "more than one"),
        (D(1), [Offer(1, "other", D(1))], D(0), "step must be positive"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(sold, offers, step, message):
    with pytest.raises(ValueError, match=message):
        share_out(sold, offers, step)


@st.composite
def sharing_cases(draw):
    step = draw(st.sampled_from([D(1), D("0.5"), D("0.1"), D(12)]))
    units = st.integers(min_value=0, max_value=60)
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=12))
    offers = [
        Offer(household, draw(st.sampled_from(PRIORITY_TIERS)), draw(units) * step)
        for household in ids
    ]
    offered_units = sum(int(offer.quantity / step) for offer in offers)
    sold = draw(st.integers(0, offered_units)) * step
    return sold, offers, step


@given(sharing_cases())
def test_shares_add_up_fit_the_offers_and_are_whole_steps(case):
    sold, offers, step = case
    shares = share_out(sold, offers, step)
    assert sum(shares.values(), D(0)) == sold
    for offer in offers:
        assert D(0) <= shares[offer.household_id] <= offer.quantity
        assert shares[offer.household_id] % step == 0


@given(sharing_cases())
def test_lower_tier_gets_nothing_while_a_higher_tier_offer_is_unfilled(case):
    sold, offers, step = case
    shares = share_out(sold, offers, step)
    for high in offers:
        if shares[high.household_id] < high.quantity:
            for low in offers:
                if RANK[low.priority] > RANK[high.priority]:
                    assert shares[low.household_id] == 0


@given(sharing_cases(), st.randoms())
def test_result_does_not_depend_on_the_order_of_offers(case, rng):
    sold, offers, step = case
    shuffled = list(offers)
    rng.shuffle(shuffled)
    assert share_out(sold, shuffled, step) == share_out(sold, offers, step)


MORNING = datetime(2025, 5, 1, 8, 0)


def test_most_recent_lines_are_cut_first():
    lines = [
        ("early", D(3), MORNING),
        ("late", D(2), MORNING + timedelta(hours=2)),
        ("middle", D(4), MORNING + timedelta(hours=1)),
    ]
    assert cut_for_shortfall(lines, D(5)) == {"late": D(2), "middle": D(3)}


def test_same_moment_cuts_the_higher_line_id_first():
    lines = [(11, D(2), MORNING), (12, D(2), MORNING)]
    assert cut_for_shortfall(lines, D(1)) == {12: D(1)}


def test_shortfall_beyond_the_lines_cuts_everything():
    lines = [(1, D(2), MORNING), (2, D(1), MORNING + timedelta(minutes=5))]
    assert cut_for_shortfall(lines, D(10)) == {1: D(2), 2: D(1)}
    assert cut_for_shortfall(lines, D(0)) == {}


def test_shortfall_refuses_negative_and_partial_steps():
    with pytest.raises(ValueError, match="negative"):
        cut_for_shortfall([(1, D(2), MORNING)], D(-1))
    with pytest.raises(ValueError, match="multiple of the step"):
        cut_for_shortfall([(1, D(2), MORNING)], D("0.3"), D("0.5"))


@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 50)), max_size=15),
    st.integers(0, 400),
    st.sampled_from([D(1), D("0.5")]),
)
def test_cuts_cover_the_shortfall_and_never_go_below_zero(raw_lines, shortfall_units, step):
    lines = [
        (line_id, units * step, MORNING + timedelta(minutes=minute))
        for line_id, (units, minute) in enumerate(raw_lines)
    ]
    shortfall = shortfall_units * step
    cuts = cut_for_shortfall(lines, shortfall, step)
    total = sum((quantity for _, quantity, _ in lines), D(0))
    assert sum(cuts.values(), D(0)) == min(shortfall, total)
    quantities = {line_id: quantity for line_id, quantity, _ in lines}
    for line_id, cut in cuts.items():
        assert D(0) < cut <= quantities[line_id]
        assert cut % step == 0
    # Last-in first-cut: every line placed after a line that was cut is cut completely.
    placed = {line_id: (at, line_id) for line_id, _, at in lines}
    for cut_id in cuts:
        for line_id, quantity, _ in lines:
            if placed[line_id] > placed[cut_id]:
                assert cuts.get(line_id, D(0)) == quantity
