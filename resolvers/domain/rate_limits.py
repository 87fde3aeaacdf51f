"""Per-user limits on writes and reads, parsed by `limits` ("30/minute"), counted in fixed
windows."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from limits import RateLimitItem, parse

from resolvers.domain.errors import DomainError

DEFAULT_RATE_LIMITS = {
    "createGroup": "10/day",
    "startDiscussion": "20/hour",
    "addPost": "30/minute",
    "reportPost": "30/hour",
    "editPost": "30/hour",
    "findTeachers": "120/hour",
    # A search reads up to a few dozen index entries' lists: a person's pace, not a script's.
    "search": "60/minute",
}


class RateLimited(DomainError):
    def __init__(self, action: str, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many {action} calls; try again in {retry_after_seconds} seconds"
        )
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class Window:
    """One fixed window of one limit: its key, its allowance, and when it ends."""

    key: str
    amount: int
    ends_at: float  # epoch seconds

    def retry_after(self, now: datetime) -> int:
        return max(1, int(self.ends_at - now.timestamp() + 0.999))


class RateLimits:
    def __init__(self, configured: Mapping[str, str]) -> None:
        self._items: dict[str, RateLimitItem] = {
            action: parse(spec) for action, spec in {**DEFAULT_RATE_LIMITS, **configured}.items()
        }

    def window(self, action: str, user_id: str, now: datetime) -> Window | None:
        item = self._items.get(action)
        return None if item is None else window_of(item, f"{action}:{user_id}", now)


def window_of(item: RateLimitItem, counter: str, now: datetime) -> Window:
    """The fixed window of `item` that `now` falls in, for `counter`. Windows start at
    multiples of their length, so every counter's window ends at the same moment."""
    length = item.get_expiry()
    start = int(now.timestamp()) // length * length
    return Window(key=f"{counter}:{start}", amount=item.amount, ends_at=start + length)


class QueryBudget:
    """What one caller may read on one API process in a window: every operation costs one,
    plus the objects its pages may return. Counted in memory, in the same fixed windows as the
    write limits (reads are too many to count in the database), so across processes the
    allowance multiplies by their number."""

    def __init__(self, spec: str) -> None:
        self.item = parse(spec)
        self._spent: dict[str, int] = {}
        self._window_ends = 0.0

    def spend(self, caller: str, cost: int, now: datetime) -> int | None:
        """Charge `cost` to `caller`: None if it fits in the window's allowance; otherwise
        nothing is charged and the answer is the seconds until the next window."""
        window = window_of(self.item, caller, now)
        if window.ends_at != self._window_ends:  # a new window: the last one's counts go
            self._spent.clear()
            self._window_ends = window.ends_at
        spent = self._spent.get(window.key, 0) + cost
        if spent > window.amount:
            return window.retry_after(now)
        self._spent[window.key] = spent
        return None
