"""Search: stemmed in the text's language, ranked, highlighted, paged, kept current from the
log, and never wider than what the viewer may read now."""

import asyncio
from datetime import UTC, datetime

import pytest

from resolvers import discussions, groups, membership, moderation, search
from resolvers.domain.actors import Actor, Role
from resolvers.domain.discussions import PostDoc
from resolvers.domain.errors import NotFound, Unauthenticated, ValidationFailed
from resolvers.domain.groups import GroupAction, GroupDoc, Participation
from resolvers.domain.paging import PageRequest, encode_cursor
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.search import SearchKind
from resolvers.store import Store
from subscriptions.indexer import SearchIndexer
from tests.conftest import actor
from tests.resolvers.test_discussions import LIMITS, MEMBER, OUTSIDER, OWNER, post, start
from tests.support import active_group, group_form

CSS = actor("carla", Role.CSS, country=None)
NSS_ES = actor("nadia", Role.NSS, country="ES")
NSS_FR = actor("noe", Role.NSS, country="FR")
INSIDER = actor("ines")  # a member of the invite-only group


UNLIMITED = RateLimits({"search": "1000000/minute"})


def page(first: int = 20, after: str | None = None) -> PageRequest:
    return PageRequest(first=first, after=after, default_size=20, max_size=100)


async def catch_up(store: Store) -> None:
    """What the search indexer does as the log grows: every event, in order."""
    position = await store.positions.get("search-test") or 0
    while events := await store.events.read_after(position, limit=500):
        for event in events:
            await search.index_event(store, event)
        position = int(events[-1]["_id"])
    await store.positions.advance("search-test", seq=position)


async def find(store: Store, who, text: str, **options) -> list[tuple[SearchKind, str]]:
    """What `who` finds: each hit's kind and its text (a title, or a post's body)."""
    await catch_up(store)
    found = await search.search_items(
        store=store, actor=who, text=text, kinds=options.get("kinds"),
        group_id=options.get("group_id"), language=options.get("language"),
        page=options.get("page", page()), limits=UNLIMITED, now=datetime.now(UTC))
    return [(item.kind, item.doc.get("title") or item.doc.get("body")) for item in found.items]


async def every_page(store: Store, who, text: str, *, first: int) -> list[search.Found]:
    """What `who` finds, page after page of `first`, each page saying whether one precedes
    it."""
    items: list[search.Found] = []
    after = None
    while True:
        found = await search.search_items(
            store=store, actor=who, text=text, kinds=None, group_id=None, language=None,
            page=page(first=first, after=after), limits=UNLIMITED, now=datetime.now(UTC))
        items += found.items
        assert found.has_previous_page == (after is not None)
        if not found.has_next_page:
            return items
        after = found.end_cursor


def marked(item: search.Found) -> list[str]:
    return [part.text for part in item.highlight() if part.matched]


@pytest.fixture
async def spanish(store, clock):
    group = await active_group(
        store, clock(), OWNER, title="Robótica en el aula", languages=("es",),
        description="Profesores de primaria que enseñan programación con robots.",
        topics=("robotica",))
    await membership.join_group(store=store, actor=MEMBER, group_id=str(group["_id"]),
                                now=clock())
    return group


async def found_by_their_stem(store: Store, clock, spanish) -> None:
    """A discussion and a post about "fracciones" in `spanish`, both found by "fracción"."""
    thread = await start(store, clock, spanish, title="Juegos para enseñar fracciones")
    await post(store, clock, thread, "Jugamos con fracciones y regletas en clase.")
    assert await find(store, OUTSIDER, "fracción") == [
        (SearchKind.DISCUSSION, "Juegos para enseñar fracciones"),
        (SearchKind.POST, "Jugamos con fracciones y regletas en clase."),
    ]


async def test_words_are_found_by_their_stem_in_the_text_s_language(store, clock, spanish):
    await found_by_their_stem(store, clock, spanish)
    # Spanish stems: "juego" finds "juegos" (and not "jugamos", another stem).
    assert [kind for kind, _ in await find(store, OUTSIDER, "juego")] == [
        SearchKind.DISCUSSION]
    # An English group is stemmed in English.
    english = await active_group(store, clock(), OWNER, title="Board games", languages=("en",))
    await start(store, clock, english, title="Teaching fractions with cards", who=OWNER)
    assert (SearchKind.DISCUSSION, "Teaching fractions with cards") in await find(
        store, OUTSIDER, "fraction", language="en")
    # A language asked for keeps to texts in it.
    assert await find(store, OUTSIDER, "fracciones", language="es") == [
        (SearchKind.DISCUSSION, "Juegos para enseñar fracciones"),
        (SearchKind.POST, "Jugamos con fracciones y regletas en clase."),
    ]
    assert await find(store, OUTSIDER, "fractions", language="es") == []


async def test_hits_are_ranked_and_their_passage_highlighted(store, clock, spanish):
    long_text = ("Hoy probamos algo nuevo con el grupo de quinto. " * 4
                 + "Montamos robots con piezas recicladas y los programamos por parejas.")
    thread = await start(store, clock, spanish, title="Ideas para el trimestre")
    await post(store, clock, thread, long_text)
    await post(store, clock, thread, "Un robot sencillo para infantil.")
    await start(store, clock, spanish, title="Robots programables baratos")
    await catch_up(store)
    found = await search.search_items(
        store=store, actor=OUTSIDER, text="robots programables", kinds=None, group_id=None,
        language=None, page=page(), limits=UNLIMITED, now=datetime.now(UTC))
    titles = [item.doc.get("title") or item.doc.get("body") for item in found.items]
    # Both words in a title first, then texts with both words, then those with one.
    assert titles[0] == "Robots programables baratos"
    assert titles.index(long_text) < titles.index("Un robot sencillo para infantil.")
    scores = [item.score for item in found.items]
    assert scores == sorted(scores, reverse=True)
    passage = next(item for item in found.items if item.doc.get("body") == long_text)
    assert marked(passage) == ["robots", "programamos"]
    assert passage.highlight()[0].text == "…"  # the passage starts near the match
    assert "".join(part.text for part in passage.highlight()).endswith("por parejas.")


async def viewer_classes(store: Store, clock, spanish) -> dict[Actor, set[str]]:
    """Discussions and proposals titled "Cometas …" that only some may read: in an open group
    and an invite-only one, hidden and deleted posts, others' pending and rejected proposals;
    the titles each viewer class may find."""
    closed = await active_group(store, clock(), OWNER, title="Claustro cerrado",
                                participation=Participation.INVITE_ONLY, languages=("es",))
    await store.memberships.add(group_id=str(closed["_id"]), user_id=INSIDER.id,
                                role="MEMBER", now=clock())
    open_thread = await start(store, clock, spanish, title="Cometas abiertas")
    secret = await start(store, clock, closed, title="Cometas privadas", who=OWNER)
    hidden = await post(store, clock, open_thread, "Cometas escondidas")
    deleted = await post(store, clock, open_thread, "Cometas borradas")
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(hidden["_id"]),
                               reason="Off topic", now=clock())
    await discussions.delete_post(store=store, actor=MEMBER, post_id=str(deleted["_id"]),
                                  now=clock())
    pending = await groups.create_group(
        store=store, actor=MEMBER, form=group_form(title="Cometas pendientes", languages=("es",)),
        now=clock(), similar_recorded=0)
    rejected = await groups.create_group(
        store=store, actor=MEMBER, form=group_form(title="Cometas rechazadas", languages=("es",)),
        now=clock(), similar_recorded=0)
    await groups.transition_group(store=store, actor=CSS, group_id=str(rejected["_id"]),
                                  action=GroupAction.REJECT, message="Duplicate", now=clock())
    assert open_thread and secret and pending

    public = {"Cometas abiertas"}
    return {
        OUTSIDER: public,
        MEMBER: public | {"Cometas pendientes", "Cometas rechazadas"},  # their own proposals
        INSIDER: public | {"Cometas privadas"},
        OWNER: public | {"Cometas privadas"},  # moderators too: hidden posts are never found
        NSS_ES: public | {"Cometas privadas", "Cometas pendientes", "Cometas rechazadas"},
        NSS_FR: public,
        CSS: public | {"Cometas privadas", "Cometas pendientes", "Cometas rechazadas"},
    }


async def test_every_viewer_class_finds_only_what_it_may_read(store, clock, spanish):
    seen_by = await viewer_classes(store, clock, spanish)
    for who, expected in seen_by.items():
        found = {text for _, text in await find(store, who, "cometa")}
        assert found == expected, who.id
    with pytest.raises(Unauthenticated):
        await find(store, None, "cometa")


async def edited_then_hidden(store: Store, clock, spanish, lettuce: str) -> PostDoc:
    """A post found by "tomates", then, edited, by `lettuce` (how the index finds
    "lechugas") and no longer by "tomates", then by neither once hidden; the hidden post."""
    thread = await start(store, clock, spanish, title="Huerto escolar")
    written = await post(store, clock, thread, "Plantamos tomates en marzo.")
    assert await find(store, OUTSIDER, "tomates") == [(SearchKind.POST, written["body"])]

    await discussions.edit_post(store=store, actor=MEMBER, post_id=str(written["_id"]),
                                body="Plantamos lechugas en marzo.", now=clock(), limits=LIMITS)
    assert await find(store, OUTSIDER, "tomates") == []
    assert await find(store, OUTSIDER, lettuce) == [
        (SearchKind.POST, "Plantamos lechugas en marzo.")]

    await moderation.hide_post(store=store, actor=OWNER, post_id=str(written["_id"]),
                               reason="Check", now=clock())
    assert await find(store, OUTSIDER, lettuce) == []
    return written


async def test_the_index_follows_edits_hides_restores_and_group_changes(store, clock, spanish):
    written = await edited_then_hidden(store, clock, spanish, "lechuga")
    await moderation.restore_post(store=store, actor=OWNER, post_id=str(written["_id"]),
                                  reason="Fine", now=clock())
    assert await find(store, OUTSIDER, "lechuga") == [
        (SearchKind.POST, "Plantamos lechugas en marzo.")]

    # A group that becomes invite-only is no longer searchable by outsiders, at once:
    # rights are checked when searching, not when indexing.
    await store.groups._collection.update_one(
        {"_id": spanish["_id"]}, {"$set": {"participation": "INVITE_ONLY"}})
    assert await find(store, OUTSIDER, "lechuga") == []
    assert await find(store, MEMBER, "lechuga") == [
        (SearchKind.POST, "Plantamos lechugas en marzo.")]


async def maps_in_two_groups(store: Store, clock, spanish, body: str) -> GroupDoc:
    """A discussion "Mapas del barrio" in `spanish` with five posts (`body`, numbered), and
    a discussion "Mapas antiguos" in another group, which it returns."""
    other = await active_group(store, clock(), OWNER, title="Otra cosa", languages=("es",))
    thread = await start(store, clock, spanish, title="Mapas del barrio")
    for n in range(5):
        await post(store, clock, thread, f"{body} {n}")
    await start(store, clock, other, title="Mapas antiguos", who=OWNER)
    return other


async def test_kinds_group_and_pages(store, clock, spanish):
    other = await maps_in_two_groups(store, clock, spanish, "Mapas dibujados número")

    only_posts = await find(store, OUTSIDER, "mapa", kinds=[SearchKind.POST])
    assert {kind for kind, _ in only_posts} == {SearchKind.POST} and len(only_posts) == 5
    in_group = await find(store, OUTSIDER, "mapa", group_id=str(other["_id"]))
    assert in_group == [(SearchKind.DISCUSSION, "Mapas antiguos")]
    with pytest.raises(NotFound):
        await find(store, OUTSIDER, "mapa", group_id="0" * 24)

    everything = await find(store, OUTSIDER, "mapa")
    seen = [(item.kind, item.doc.get("title") or item.doc.get("body"))
            for item in await every_page(store, OUTSIDER, "mapa", first=3)]
    assert seen == everything and len(seen) == 7


@pytest.mark.parametrize(("text", "options", "field"), [
    ("", {}, "query"),
    ("de la y", {}, "query"),  # nothing but common words
    ("uno dos tres cuatro cinco seis siete", {}, "query"),
    ("x" * 201, {}, "query"),
    ("mapa", {"language": "xx"}, "language"),
    ("mapa", {"page": page(after="not a cursor")}, "after"),
    ("mapa", {"page": page(after=encode_cursor("nope"))}, "after"),
    ("mapa", {"page": PageRequest(first=None, after=None, last=2, before=None,
                                  default_size=20, max_size=100)}, "before"),
])
async def test_bad_searches_are_refused_with_the_field_at_fault(store, text, options, field):
    with pytest.raises(ValidationFailed) as refused:
        await find(store, OUTSIDER, text, **options)
    assert refused.value.field == field


async def test_the_indexer_indexes_what_exists_then_follows_the_log(store, clock, spanish):
    await start(store, clock, spanish, title="Teatro de sombras")
    indexer = SearchIndexer(store, clock, poll_interval=0.02)
    await indexer.start()
    try:
        async def found(text: str) -> list[str]:
            for _ in range(250):
                hits = await search.search_items(
                    store=store, actor=OUTSIDER, text=text, kinds=None, group_id=None,
                    language=None, page=page(), limits=UNLIMITED, now=datetime.now(UTC))
                if hits.items:
                    return [item.doc.get("title") or item.doc.get("body")
                            for item in hits.items]
                await asyncio.sleep(0.02)
            return []

        assert await found("sombras") == ["Teatro de sombras"]  # written before it started
        thread = await start(store, clock, spanish, title="Títeres de dedo")
        assert await found("títeres") == ["Títeres de dedo"]
        assert thread
    finally:
        await indexer.stop()


async def test_an_item_ranks_on_every_word_it_holds_beyond_the_entries_read(
    store, clock, spanish, monkeypatch
):
    """A search reads the best entries of each word only; the best items are then looked up
    for the words those left out, so an older post holding both words still ranks first."""
    monkeypatch.setattr(search, "READ_PER_TERM", 2)
    thread = await start(store, clock, spanish, title="Talleres")
    both = await post(store, clock, thread, "Cometa azul de papel")
    for n in range(4):
        clock.advance(minutes=1)
        await post(store, clock, thread, f"Cometa número {n}")
    await catch_up(store)
    found = await search.search_items(
        store=store, actor=OUTSIDER, text="cometa azul", kinds=None, group_id=None,
        language=None, page=page(), limits=UNLIMITED, now=datetime.now(UTC))
    assert found.items[0].doc["_id"] == both["_id"]
    assert marked(found.items[0]) == ["Cometa", "azul"]


async def test_pages_pass_over_hits_the_viewer_may_not_read(store, clock, spanish):
    """The newest hits of a word lie in an invite-only group: an outsider's pages pass over
    them, more than a page of them, and still hold every hit they may read, once each."""
    closed = await active_group(store, clock(), OWNER, title="Claustro cerrado",
                                participation=Participation.INVITE_ONLY, languages=("es",))
    open_thread = await start(store, clock, spanish, title="Huerto abierto")
    closed_thread = await start(store, clock, closed, title="Huerto cerrado", who=OWNER)
    for n in range(5):
        await post(store, clock, open_thread, f"Cometas de papel {n}")
    for n in range(3 * search.RIGHTS_BATCH):
        await post(store, clock, closed_thread, f"Cometas de papel {n % 10}", who=OWNER,
                   limits=RateLimits({"addPost": "1000/minute"}))
    await catch_up(store)

    seen: list[str] = []
    after = None
    while True:
        found = await search.search_items(
            store=store, actor=OUTSIDER, text="cometas papel", kinds=[SearchKind.POST],
            group_id=None, language=None, page=page(first=2, after=after), limits=UNLIMITED,
            now=datetime.now(UTC))
        seen += [item.doc["body"] for item in found.items]
        if not found.has_next_page:
            break
        after = found.end_cursor
    assert seen == [f"Cometas de papel {n}" for n in reversed(range(5))]
    inside = await find(store, OWNER, "cometas papel", kinds=[SearchKind.POST])
    assert len(inside) == 20 and {text for _, text in inside[:10]} == {
        f"Cometas de papel {n}" for n in range(10)}
