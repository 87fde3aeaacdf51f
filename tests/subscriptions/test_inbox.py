"""The queue each subscription and each WebSocket holds: order kept, waiting without loss."""

import asyncio

import pytest

from subscriptions.inbox import Inbox


async def test_items_come_out_in_the_order_put_one_by_one_or_all_at_once():
    inbox: Inbox[int] = Inbox()
    for n in range(3):
        inbox.put_nowait(n)
    assert (len(inbox), inbox.empty()) == (3, False)
    assert await inbox.get() == 0
    assert await inbox.taken() == [1, 2]
    assert inbox.empty()


async def test_a_waiting_consumer_wakes_for_the_next_item():
    inbox: Inbox[str] = Inbox()
    waiting = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    inbox.put_nowait("a")
    inbox.put_nowait("b")
    assert await asyncio.wait_for(waiting, 1) == "a"
    assert await inbox.taken() == ["b"]


async def test_a_consumer_cancelled_while_waiting_loses_nothing():
    inbox: Inbox[str] = Inbox()
    waiting = asyncio.ensure_future(inbox.taken())
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    inbox.put_nowait("kept")
    assert await asyncio.wait_for(inbox.get(), 1) == "kept"
