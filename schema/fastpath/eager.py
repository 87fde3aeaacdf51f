"""A resolver's coroutine run at once, as far as it goes without waiting.

An `async def` resolver whose loader already holds the answer (loaded ahead for a whole page)
never waits: run in the call, it returns there, and its field completes in the same step,
without a task, a gather and a later round of completion. One that must wait is handed to
graphql-core as an awaitable that carries on from where it stopped.
"""

import asyncio
import contextvars
from collections.abc import Coroutine, Generator
from typing import Any


def started(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """What `coroutine` returns, if it returns without waiting; otherwise an awaitable of it:
    of the coroutine waiting on what it first awaited, or of the error it raised.

    Like a task, the coroutine runs every step in a context of its own, copied from the
    caller's: what it sets there (the driver sets its operation id around a command, and
    resets it when the command answers) neither leaks to its siblings nor is lost when a task
    of graphql-core's, in a context of its own, drives it on."""
    context = contextvars.copy_context()
    try:
        waiting_on = context.run(coroutine.send, None)
    except StopIteration as done:
        return done.value
    except Exception as error:  # raised when awaited, where graphql-core would meet it
        return _raising(error)
    if isinstance(waiting_on, asyncio.Future):
        # A future being awaited is marked until a task takes it; marked, another resolver
        # awaiting the same loader's answer would be refused. It is marked again when handed
        # to the task.
        waiting_on._asyncio_future_blocking = False
    return Started(coroutine, waiting_on, context)


async def _raising(error: Exception) -> Any:
    raise error


class Started:
    """A coroutine that has started and waits on `waiting_on`: awaiting this hands that to
    the awaiting task, then drives the coroutine on, as `await` would have from the start."""

    __slots__ = ("_context", "_coroutine", "_waiting_on")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], waiting_on: Any,
                 context: contextvars.Context) -> None:
        self._coroutine = coroutine
        self._waiting_on = waiting_on
        self._context = context

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, waiting_on, run = self._coroutine, self._waiting_on, self._context.run
        if isinstance(waiting_on, asyncio.Future):
            waiting_on._asyncio_future_blocking = True
        while True:
            try:
                sent = yield waiting_on
            except GeneratorExit:
                run(coroutine.close)
                raise
            except BaseException as error:  # thrown in by the task: cancellation, say
                try:
                    waiting_on = run(coroutine.throw, error)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    waiting_on = run(coroutine.send, sent)
                except StopIteration as done:
                    return done.value
