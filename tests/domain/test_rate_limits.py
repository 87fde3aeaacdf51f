"""Fixed windows, for the write limits and the read budget alike."""

from datetime import UTC, datetime, timedelta

from resolvers.domain.rate_limits import QueryBudget, RateLimits

NINE = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)


def test_a_refused_charge_costs_nothing_and_says_when_to_return():
    budget = QueryBudget("100/minute")
    assert budget.spend("user:olga", 60, NINE) is None
    assert budget.spend("user:olga", 60, NINE + timedelta(seconds=15)) == 45
    assert budget.spend("user:olga", 40, NINE + timedelta(seconds=20)) is None  # 100 in all
    assert budget.spend("user:olga", 1, NINE + timedelta(seconds=59)) == 1
    assert budget.spend("user:tom", 100, NINE) is None  # each caller has their own


def test_the_next_window_starts_afresh():
    budget = QueryBudget("100/minute")
    assert budget.spend("user:olga", 100, NINE + timedelta(seconds=59)) is None
    assert budget.spend("user:olga", 100, NINE + timedelta(seconds=60)) is None


def test_write_limits_keep_their_window_keys():
    window = RateLimits({}).window("addPost", "olga", NINE + timedelta(seconds=30))
    assert window is not None
    assert (window.key, window.amount) == (f"addPost:olga:{int(NINE.timestamp())}", 30)
