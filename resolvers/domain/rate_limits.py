"""Per-user limits on writes, parsed by `limits` ("30/minute"), counted in fixed windows."""

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
        if item is None:
            return None
        length = item.get_expiry()
        start = int(now.timestamp()) // length * length
        return Window(
            key=f"{action}:{user_id}:{start}", amount=item.amount, ends_at=start + length
        )
