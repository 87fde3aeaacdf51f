"""Search across groups, discussions and posts (`resolvers.domain.search`): keeping the index
current as the log tells of changes, and reading it as a viewer may see it now.

The search indexer (`subscriptions.indexer`) hands each event here: the item it names is read
as it stands and its entries rewritten, or removed once search may no longer find it (a
hidden or deleted post). Rights are not in the index: each hit is checked against the
viewer's rights when they search.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resolvers import rate_limits
from resolvers.domain import search
from resolvers.domain.actors import Actor
from resolvers.domain.discussions import DiscussionDoc, PostDoc, is_published, may_read
from resolvers.domain.errors import ValidationFailed
from resolvers.domain.events import EventDoc, EventKind
from resolvers.domain.groups import GroupDoc, may_view, require_actor
from resolvers.domain.language import detect_among
from resolvers.domain.membership import GroupRole, role_decides_content
from resolvers.domain.paging import PageRequest, Slice, page_of
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.search import Hit, Part, Posting, SearchKind
from resolvers.groups import visible_group
from resolvers.store import Store
from resolvers.store.search import SearchStore
from resolvers.store.search_texts import TextSearchStore

log = logging.getLogger("agora.search")

# How many entries of each term a search reads, best first: what it ranks, whatever the
# number of items that hold the term. A search reaches its best hits among them.
READ_PER_TERM = 80
# How many of the best items are looked up for the terms their best entries left out.
COMPLETED = 50
# How many hits at least have their groups read at once, to check the viewer may read them.
RIGHTS_BATCH = 20
# With MongoDB's `$text`: how many matches beyond the page's are read, for those the viewer
# may not read.
TEXT_SLACK = 4 * RIGHTS_BATCH
GROUP_EVENTS = frozenset({EventKind.GROUP_STATUS_CHANGED, EventKind.GROUP_UPDATED})


def _language(text: str, languages: Sequence[str]) -> str:
    """The language `text` of a group writing in `languages` is stemmed in."""
    return search.text_language(
        languages, detect_among(text, languages or search.QUERY_LANGUAGES))


def _group_fields(group: GroupDoc) -> list[tuple[str, float]]:
    return [(group.get("title", ""), search.TITLE_BOOST), (group.get("description", ""), 1.0),
            (group.get("objectives", ""), 1.0), (" ".join(group.get("topics", [])), 1.0)]


def _fields(kind: SearchKind, doc: Any) -> list[tuple[str, float]]:
    if kind is SearchKind.GROUP:
        return _group_fields(doc)
    if kind is SearchKind.DISCUSSION:
        return [(doc.get("title", ""), search.TITLE_BOOST)]
    return [(doc.get("body", ""), 1.0)]


async def _write(store: Store, kind: SearchKind, doc: Any, group: GroupDoc) -> None:
    fields = _fields(kind, doc)
    language = _language(" ".join(text for text, _ in fields), group.get("languages", []))
    await store.search.replace(item_id=str(doc["_id"]), kind=kind, group_id=str(group["_id"]),
                               language=language, fields=fields)


async def index_group(store: Store, group_id: str) -> None:
    group = await store.groups.get(group_id=group_id)
    if group is None:
        await store.search.remove(item_id=group_id)
    else:
        await _write(store, SearchKind.GROUP, group, group)


async def index_discussion(store: Store, discussion_id: str) -> None:
    discussion = await store.discussions.get(discussion_id=discussion_id)
    group = None if discussion is None else await store.groups.get(
        group_id=discussion["group_id"])
    if discussion is None or group is None:
        await store.search.remove(item_id=discussion_id)
    else:
        await _write(store, SearchKind.DISCUSSION, discussion, group)


async def index_post(store: Store, post_id: str) -> None:
    post = await store.posts.get(post_id=post_id)
    group = None if post is None else await store.groups.get(group_id=post["group_id"])
    if post is None or group is None or not is_published(post):
        await store.search.remove(item_id=post_id)
    else:
        await _write(store, SearchKind.POST, post, group)


async def index_event(store: Store, event: EventDoc) -> None:
    """Bring the index up to date with what `event` changed."""
    subject = event.get("subject") or {}
    if event.get("subject_kind") == "Post":
        await index_post(store, str(subject["_id"]))
    elif event["kind"] == EventKind.DISCUSSION_STARTED:
        await index_discussion(store, str(subject["_id"]))
    elif event["kind"] in GROUP_EVENTS:
        await index_group(store, event["group_id"])


INDEXERS: dict[SearchKind, Callable[[Store, str], Any]] = {
    SearchKind.GROUP: index_group,
    SearchKind.DISCUSSION: index_discussion,
    SearchKind.POST: index_post,
}


async def index_everything(store: Store, *, batch: int = 500) -> int:
    """Index every group, discussion and post there is (a search indexer's first run, on a
    database written before it), saying how far it is as it goes; the number indexed."""
    done = 0
    for kind, ids in (
        (SearchKind.GROUP, store.groups.all_ids(batch=batch)),
        (SearchKind.DISCUSSION, store.discussions.all_ids(batch=batch)),
        (SearchKind.POST, store.posts.all_ids(batch=batch)),
    ):
        async for chunk in ids:
            await asyncio.gather(*(INDEXERS[kind](store, item_id) for item_id in chunk))
            done += len(chunk)
            log.info("search index: %d %s documents indexed so far", done, kind.value.lower())
    return done


@dataclass(frozen=True, slots=True)
class Found:
    """One hit as the viewer may see it: the item, its group, and what matched."""

    kind: SearchKind
    doc: Any  # a GroupDoc, DiscussionDoc or PostDoc
    group: GroupDoc
    score: float
    terms: frozenset[str]
    language: str
    position: int

    def highlight(self) -> list[Part]:
        """The passage that matched, its matching words marked."""
        for text, _ in _fields(self.kind, self.doc):
            parts = search.passage(text, self.terms, self.language)
            if any(part.matched for part in parts):
                return parts
        return search.passage(_fields(self.kind, self.doc)[0][0], self.terms, self.language)


def _offset(page: PageRequest) -> int:
    if page.backward:
        raise ValidationFailed("before", "search results page forward: give first and after")
    position = page.position(int)
    return 0 if position is None else int(position) + 1


async def _postings(
    index: SearchStore, query: search.Query, kinds: frozenset[SearchKind], group_id: str | None,
) -> list[Posting]:
    # One read per term, or per term and kind when only some kinds are wanted.
    each_kind: Iterable[SearchKind | None] = (
        [None] if kinds == frozenset(SearchKind) else sorted(kinds))
    reads = [index.best(term=term, group_id=group_id, kind=kind, language=query.language,
                        limit=READ_PER_TERM)
             for term in sorted(query.terms) for kind in each_kind]
    return [posting for found in await asyncio.gather(*reads) for posting in found]


async def _ranked(
    index: SearchStore, query: search.Query, kinds: frozenset[SearchKind], group_id: str | None,
) -> tuple[list[Hit], dict[str, str]]:
    """The hits Agora's own index ranks, best first, and the language of each item."""
    postings = await _postings(index, query, kinds, group_id)
    read_of_term = Counter(posting.term for posting in postings)
    # The best items may hold query terms beyond the best entries read of them: their
    # entries of those terms are looked up, so that they rank on all the words they hold.
    best = search.rank(query, postings, read_per_term=READ_PER_TERM)[:COMPLETED]
    postings += await index.entries([
        (hit.item_id, term) for hit in best for term in sorted(query.terms - hit.terms)])
    hits = [hit for hit in search.rank(query, postings, read_per_term=READ_PER_TERM,
                                       found=read_of_term)
            if hit.kind in kinds]
    return hits, {posting.item_id: posting.language for posting in postings}


async def _matched(
    index: TextSearchStore, text: str, query: search.Query, kinds: frozenset[SearchKind],
    group_id: str | None, count: int,
) -> tuple[list[Hit], dict[str, str]]:
    """The hits MongoDB's `$text` ranks, best first (the query stemmed in its language, or in
    each of the communities'), and the language of each item."""
    matches = await index.matching(
        text=text, languages=[query.language] if query.language else search.QUERY_LANGUAGES,
        only_language=query.language, kinds=kinds, group_id=group_id, limit=count)
    hits = [Hit(match.item_id, match.kind, match.group_id, match.score, query.terms)
            for match in matches]
    return hits, {match.item_id: match.language for match in matches}


async def _roles(store: Store, actor_id: str, groups: Iterable[GroupDoc]) -> dict[str, str]:
    ids = [str(group["_id"]) for group in groups]
    if not ids:
        return {}
    return {doc["group_id"]: doc["role"]
            for doc in await store.memberships.roles_of(user_id=actor_id, group_ids=ids)}


async def search_items(
    *, store: Store, actor: Any, text: str, kinds: Sequence[SearchKind] | None,
    group_id: str | None, language: str | None, page: PageRequest, limits: RateLimits,
    now: datetime,
) -> Slice[Found]:
    """What `actor` may read that matches `text`, best first."""
    actor = require_actor(actor)
    query = search.parse_query(text, language)
    wanted = frozenset(kinds) if kinds else frozenset(SearchKind)
    size, offset = page.size(), _offset(page)
    if group_id is not None:
        await visible_group(store, actor, group_id)
    await rate_limits.spend(store, limits, actor, "search", now)
    if isinstance(store.search, TextSearchStore):
        hits, languages = await _matched(store.search, text, query, wanted, group_id,
                                         offset + size + 1 + TEXT_SLACK)
    else:
        hits, languages = await _ranked(store.search, query, wanted, group_id)
    allowed, groups = await _readable(store, actor, hits, offset + size + 1)
    shown = await _current(store, allowed[offset:], groups, languages)
    found = [Found(hit.kind, doc, groups[hit.group_id], hit.score, hit.terms,
                   language, offset + index)
             for index, (hit, doc, language) in enumerate(shown)]
    return page_of(found, size, lambda item: str(item.position), backward=False,
                   behind=offset > 0)


async def _readable(
    store: Store, actor: Actor, hits: list[Hit], count: int,
) -> tuple[list[Hit], dict[str, GroupDoc]]:
    """The first `count` of `hits` that `actor` may read now, and their groups. The groups
    are read in the hits' order, a page's worth at a time, so a search reads the groups of
    its page (and of the hits it passes over), not those of every candidate."""
    groups: dict[str, GroupDoc] = {}
    roles: dict[str, str] = {}
    allowed: list[Hit] = []
    at = 0
    while len(allowed) < count and at < len(hits):
        batch = hits[at:at + max(count - len(allowed), RIGHTS_BATCH)]
        at += len(batch)
        read = await store.groups.get_many(
            group_ids=list({hit.group_id for hit in batch} - groups.keys()))
        groups |= {str(group["_id"]): group for group in read}
        roles |= await _roles(store, actor.id, (
            group for group in read if role_decides_content(actor, group)))
        allowed += [hit for hit in batch if _may_read(actor, hit, groups, roles)]
    return allowed[:count], groups


def _may_read(actor: Actor, hit: Hit, groups: dict[str, GroupDoc],
              roles: dict[str, str]) -> bool:
    group = groups.get(hit.group_id)
    if group is None:
        return False
    if hit.kind is SearchKind.GROUP:
        return may_view(actor, group)
    role = roles.get(hit.group_id)
    return may_read(actor, group, None if role is None else GroupRole(role))


async def _current(
    store: Store, hits: list[Hit], groups: dict[str, GroupDoc], languages: dict[str, str],
) -> list[tuple[Hit, Any, str]]:
    """The page's hits with their items as they stand, those since hidden or deleted left
    out (the index learns of it a moment later)."""
    discussions: dict[str, DiscussionDoc] = {
        str(doc["_id"]): doc for doc in await store.discussions.get_many(discussion_ids=[
            hit.item_id for hit in hits if hit.kind is SearchKind.DISCUSSION])}
    posts: dict[str, PostDoc] = {
        str(doc["_id"]): doc for doc in await store.posts.get_many(post_ids=[
            hit.item_id for hit in hits if hit.kind is SearchKind.POST])}
    items: dict[SearchKind, dict[str, Any]] = {
        SearchKind.GROUP: groups, SearchKind.DISCUSSION: discussions, SearchKind.POST: posts}
    shown = []
    for hit in hits:
        doc = items[hit.kind].get(hit.item_id)
        if doc is None or (hit.kind is SearchKind.POST and not is_published(doc)):
            continue
        shown.append((hit, doc, languages[hit.item_id]))
    return shown
