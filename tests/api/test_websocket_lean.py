"""The lighter parts of the WebSocket protocol Agora serves (api/websocket.py)."""

import asyncio

import pytest

from api.websocket import _Writable


async def test_sends_wait_while_the_socket_is_paused_and_go_on_when_it_resumes():
    writable = _Writable()
    assert writable.is_set()
    await asyncio.wait_for(writable.wait(), 1)  # writable: no wait
    writable.clear()
    first, second = (asyncio.ensure_future(writable.wait()) for _ in range(2))
    await asyncio.sleep(0.01)
    assert not writable.is_set() and not first.done()
    first.cancel()  # one sender gone leaves the other waiting
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.sleep(0.01)
    assert not second.done()
    writable.set()
    await asyncio.wait_for(second, 1)
    assert writable.is_set()
