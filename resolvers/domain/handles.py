"""Handles: how teachers name each other in posts (`@olga.petrova`), and find whom to invite.

A handle is made from the name the first time a teacher signs in, with a number added when
it is taken; it never changes after."""

import re
import unicodedata
from collections.abc import Iterator

HANDLE_MAX = 30
MENTIONS_MAX = 20  # in one post; more notify no one
MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9._-]{0,29})", re.IGNORECASE)


def slug(name: str) -> str:
    """`name` in lowercase ASCII letters and digits, words joined by dots."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return ".".join(words)[:HANDLE_MAX - 4].strip(".")


def handle_candidates(name: str) -> Iterator[str]:
    """The handles to try for a teacher called `name`, in order."""
    base = slug(name) or "teacher"
    yield base
    for number in range(2, 10_000):
        yield f"{base}{number}"


def mentioned(body: str) -> list[str]:
    """The handles a post's text mentions, each once, in order; at most `MENTIONS_MAX`."""
    found: list[str] = []
    for match in MENTION.finditer(body):
        handle = match.group(1).lower().rstrip("._-")
        if handle and handle not in found:
            found.append(handle)
    return found[:MENTIONS_MAX]


def after_prefix(prefix: str) -> str:
    """The first text after every text that starts with `prefix` (a handle's characters are
    ASCII)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
