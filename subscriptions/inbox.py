"""A queue for one of many consumers that mostly wait: a server holds one for each open
subscription and each open WebSocket, idle most of the time, so it holds a list and, while its
consumer waits, one future; asyncio.Queue holds four deques (its own three and its Event's),
some 3 KiB, however empty."""

import asyncio


class Inbox[T]:
    """Items in the order put, for one consumer at a time; `put_nowait` never blocks (its
    producer bounds it)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[T] = []
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> T:
        """The oldest item, once there is one."""
        await self._arrival()
        return self._items.pop(0)

    async def taken(self) -> list[T]:
        """Every item put since the last call, once there is one."""
        await self._arrival()
        items, self._items = self._items, []
        return items

    async def _arrival(self) -> None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
