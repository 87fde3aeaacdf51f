"""The inactivity policy and write limits, with a clock the tests set."""

from datetime import UTC, datetime, timedelta

import pytest

from resolvers.domain.inactivity import InactivityRule, period_of, verdict
from resolvers.domain.rate_limits import RateLimits

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def group(*, approved_days_ago: int, idle_days: int, **extra) -> dict:
    return {
        "status": "ACTIVE",
        "created_at": NOW - timedelta(days=approved_days_ago + 5),
        "approved_at": NOW - timedelta(days=approved_days_ago),
        "last_activity_at": NOW - timedelta(days=idle_days),
        **extra,
    }


def test_a_new_group_is_due_after_two_months_idle():
    assert verdict(group(approved_days_ago=70, idle_days=55), NOW) is None
    found = verdict(group(approved_days_ago=70, idle_days=62), NOW)
    assert found is not None
    assert found.rule is InactivityRule.NEW_GROUP and found.days_inactive == 62


def test_an_existing_group_is_due_after_three_months_idle():
    assert verdict(group(approved_days_ago=400, idle_days=80), NOW) is None
    found = verdict(group(approved_days_ago=400, idle_days=93), NOW)
    assert found is not None and found.rule is InactivityRule.EXISTING_GROUP


def test_an_exemption_holds_until_its_date():
    exempt = group(approved_days_ago=400, idle_days=120,
                   inactivity_exempt_until=NOW + timedelta(days=1))
    assert verdict(exempt, NOW) is None
    assert verdict(exempt, NOW + timedelta(days=2)) is not None


def test_only_active_groups_are_due():
    assert verdict(group(approved_days_ago=400, idle_days=120, status="CLOSED"), NOW) is None


def test_periods_are_iso_weeks():
    assert period_of(NOW) == "2026-W48"
    assert period_of(NOW + timedelta(days=7)) == "2026-W49"


def test_limits_count_in_fixed_windows():
    limits = RateLimits({"addPost": "3/minute"})
    first = limits.window("addPost", "olga", NOW)
    assert first is not None and first.amount == 3
    assert limits.window("addPost", "olga", NOW + timedelta(seconds=59)).key == first.key
    assert limits.window("addPost", "olga", NOW + timedelta(seconds=60)).key != first.key
    assert limits.window("addPost", "tom", NOW).key != first.key
    assert first.retry_after(NOW) == 60
    assert limits.window("unlimited", "olga", NOW) is None


def test_bad_limits_are_refused_at_start():
    with pytest.raises(ValueError):
        RateLimits({"addPost": "thirty per minute"})
