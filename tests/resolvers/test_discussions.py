"""Discussion and post use cases against the embedded server."""

import asyncio

import bson
import pytest

from resolvers import discussions, membership, moderation
from resolvers.domain.actors import Role
from resolvers.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from resolvers.domain.groups import GroupAction
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest
from resolvers.domain.rate_limits import RateLimited, RateLimits
from resolvers.store import Store
from tests.conftest import actor
from tests.support import active_group

OWNER = actor("olga")
MEMBER = actor("mia")
OUTSIDER = actor("tom")
CSS = actor("carla", Role.CSS, country=None)
LIMITS = RateLimits({})
PAGE = PageRequest(first=100, after=None, default_size=20, max_size=100)


@pytest.fixture
async def group(store, clock):
    doc = await active_group(store, clock(), OWNER)
    await membership.join_group(store=store, actor=MEMBER, group_id=str(doc["_id"]),
                                now=clock())
    return doc


async def start(store, clock, group, title="Board games for fractions", who=MEMBER):
    return await discussions.start_discussion(
        store=store, actor=who, group_id=str(group["_id"]), title=title,
        body="Which games work best?", now=clock(), limits=LIMITS,
    )


async def post(store, clock, discussion, body="I like dominoes.", who=MEMBER, **kwargs):
    return await discussions.add_post(
        store=store, actor=who, discussion_id=str(discussion["_id"]), body=body,
        reply_to_id=kwargs.pop("reply_to_id", None),
        client_mutation_id=kwargs.pop("client_mutation_id", None), now=clock(),
        limits=kwargs.pop("limits", LIMITS),
    )


async def bodies(store, group, discussion, who=MEMBER, role=GroupRole.MEMBER):
    page = await discussions.list_posts(store=store, actor=who, viewer_role=role, group=group,
                                        discussion=discussion, page=PAGE)
    return [doc["body"] for doc in page.items]


async def test_a_discussion_starts_with_its_first_post(store, clock, group):
    discussion = await start(store, clock, group)
    assert discussion["post_count"] == 1
    assert await bodies(store, group, discussion) == ["Which games work best?"]
    refreshed = await store.groups.get(group_id=str(group["_id"]))
    assert refreshed["last_activity_at"] == clock()


async def test_only_members_write(store, clock, group):
    with pytest.raises(Forbidden):
        await start(store, clock, group, who=OUTSIDER)
    discussion = await start(store, clock, group)
    with pytest.raises(Forbidden):
        await post(store, clock, discussion, who=OUTSIDER)


async def test_posts_counted_ordered_and_touch_the_discussion(store, clock, group):
    discussion = await start(store, clock, group)
    for n in range(3):
        clock.advance(minutes=1)
        await post(store, clock, discussion, body=f"Reply {n}")
    stored = await store.discussions.get(discussion_id=str(discussion["_id"]))
    assert stored["post_count"] == 4 and stored["last_post_at"] == clock()
    assert (await bodies(store, group, discussion))[1:] == ["Reply 0", "Reply 1", "Reply 2"]


async def test_discussions_list_pinned_first_then_latest_activity(store, clock, group):
    older = await start(store, clock, group, title="Older topic")
    clock.advance(minutes=1)
    newer = await start(store, clock, group, title="Newer topic")
    clock.advance(minutes=1)
    await post(store, clock, older)  # older is now the most recently active
    pinned = await start(store, clock, group, title="House rules")
    await moderation.flag_discussion(store=store, actor=OWNER, discussion_id=str(pinned["_id"]),
                                     flag="pinned", value=True, reason=None, now=clock())
    clock.advance(minutes=1)
    await post(store, clock, newer)
    seen, after = [], None
    while True:
        page = await discussions.list_discussions(
            store=store, actor=MEMBER, viewer_role=GroupRole.MEMBER, group=group,
            page=PageRequest(first=1, after=after, default_size=20, max_size=100),
        )
        seen += [doc["title"] for doc in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == ["House rules", "Newer topic", "Older topic"]


async def test_locked_discussions_and_inactive_groups_take_no_posts(store, clock, group):
    discussion = await start(store, clock, group)
    await moderation.flag_discussion(store=store, actor=OWNER,
                                     discussion_id=str(discussion["_id"]), flag="locked",
                                     value=True, reason="Heated", now=clock())
    with pytest.raises(InvalidTransition):
        await post(store, clock, discussion)
    other = await start(store, clock, group, title="Another topic")
    from resolvers import groups

    await groups.transition_group(store=store, actor=OWNER, group_id=str(group["_id"]),
                                  action=GroupAction.CLOSE, message="Done", now=clock())
    with pytest.raises(InvalidTransition):
        await post(store, clock, other)


async def test_replies_stay_in_their_discussion(store, clock, group):
    first = await start(store, clock, group)
    second = await start(store, clock, group, title="Second topic")
    answered = await post(store, clock, first)
    reply = await post(store, clock, first, reply_to_id=str(answered["_id"]))
    assert reply["reply_to_id"] == str(answered["_id"])
    with pytest.raises(ValidationFailed) as caught:
        await post(store, clock, second, reply_to_id=str(answered["_id"]))
    assert caught.value.field == "replyToId"


@pytest.mark.parametrize("body", ["", "   ", "x" * 20_001])
async def test_post_bodies_are_bounded(store, clock, group, body):
    discussion = await start(store, clock, group)
    with pytest.raises(ValidationFailed) as caught:
        await post(store, clock, discussion, body=body)
    assert caught.value.field == "body"


async def test_concurrent_retries_with_one_key_make_one_post(store, clock, group):
    discussion = await start(store, clock, group)
    results = await asyncio.gather(*(
        post(store, clock, discussion, body="Sent from a train", client_mutation_id="m-1")
        for _ in range(8)
    ))
    assert len({str(doc["_id"]) for doc in results}) == 1
    assert (await bodies(store, group, discussion)).count("Sent from a train") == 1
    stored = await store.discussions.get(discussion_id=str(discussion["_id"]))
    assert stored["post_count"] == 2
    other = await post(store, clock, discussion, body="Sent from a train",
                       client_mutation_id="m-2")
    assert other["_id"] != results[0]["_id"]


async def test_edits_keep_versions_and_deletes_leave_tombstones(store, clock, group):
    discussion = await start(store, clock, group)
    original = await post(store, clock, discussion, body="Frist!")
    reply = await post(store, clock, discussion, reply_to_id=str(original["_id"]))
    clock.advance(minutes=1)
    edited = await discussions.edit_post(store=store, limits=LIMITS, actor=MEMBER,
                                         post_id=str(original["_id"]), body="First!",
                                         now=clock())
    assert edited["body"] == "First!" and edited["edited_at"] == clock()
    assert [v["body"] for v in edited["versions"]] == ["Frist!"]
    with pytest.raises(Forbidden):
        await discussions.edit_post(store=store, limits=LIMITS, actor=OWNER,
                                    post_id=str(original["_id"]), body="Owner rewrite",
                                    now=clock())
    deleted = await discussions.delete_post(store=store, actor=OWNER,
                                            post_id=str(original["_id"]), now=clock())
    assert deleted["deleted_at"] == clock() and deleted["body"] == ""
    listed = await discussions.list_posts(store=store, actor=MEMBER,
                                          viewer_role=GroupRole.MEMBER, group=group,
                                          discussion=discussion, page=PAGE)
    ids = [str(doc["_id"]) for doc in listed.items]
    assert str(original["_id"]) in ids and str(reply["_id"]) in ids
    with pytest.raises(Forbidden):
        await discussions.delete_post(store=store, actor=OUTSIDER, post_id=str(reply["_id"]),
                                      now=clock())


async def test_hidden_posts_reach_moderators_only(store, clock, group):
    discussion = await start(store, clock, group)
    rude = await post(store, clock, discussion, body="Rude remark")
    with pytest.raises(Forbidden):
        await moderation.hide_post(store=store, actor=MEMBER, post_id=str(rude["_id"]),
                                   reason="Rude", now=clock())
    await moderation.hide_post(store=store, actor=OWNER, post_id=str(rude["_id"]),
                               reason="Rude", now=clock())
    assert "Rude remark" not in await bodies(store, group, discussion)
    assert "Rude remark" in await bodies(store, group, discussion, who=OWNER,
                                         role=GroupRole.OWNER)
    assert "Rude remark" in await bodies(store, group, discussion, who=CSS, role=None)
    await moderation.restore_post(store=store, actor=CSS, post_id=str(rude["_id"]),
                                  reason="Context", now=clock())
    assert "Rude remark" in await bodies(store, group, discussion)


async def test_rate_limits_refuse_and_write_nothing(store, clock, group):
    limits = RateLimits({"addPost": "2/minute"})
    discussion = await start(store, clock, group)
    await post(store, clock, discussion, limits=limits)
    await post(store, clock, discussion, limits=limits)
    with pytest.raises(RateLimited) as caught:
        await post(store, clock, discussion, body="One too many", limits=limits)
    assert 1 <= caught.value.retry_after_seconds <= 60
    assert "One too many" not in await bodies(store, group, discussion)
    clock.advance(minutes=1)
    await post(store, clock, discussion, body="Next minute", limits=limits)


async def test_rate_limits_hold_across_processes(store, clock, group, mongodb_uri):
    from pymongo import AsyncMongoClient

    limits = RateLimits({"addPost": "2/minute"})
    discussion = await start(store, clock, group)
    other_client = AsyncMongoClient(mongodb_uri, tz_aware=True)
    try:  # a second client stands for a second API process on the same database
        other = Store(other_client[store.db.name])
        await post(store, clock, discussion, limits=limits)
        await post(other, clock, discussion, limits=limits)
        with pytest.raises(RateLimited):
            await post(store, clock, discussion, limits=limits)
    finally:
        await other_client.close()


async def test_readers_of_invite_only_groups_are_members(store, clock):
    from resolvers.domain.groups import Participation

    group = await active_group(store, clock(), OWNER, participation=Participation.INVITE_ONLY)
    discussion = await start(store, clock, group, who=OWNER)
    assert await discussions.get_discussion(store=store, actor=OUTSIDER,
                                            discussion_id=str(discussion["_id"])) is None
    with pytest.raises(NotFound):
        await post(store, clock, discussion, who=OUTSIDER)


async def test_client_mutation_ids_of_different_authors_never_collide(store, clock, group):
    """`x` sending `phone:1234` and `x:phone` sending `1234` made one key before."""
    discussion = await start(store, clock, group)
    for who in (actor("x"), actor("x:phone")):
        await membership.join_group(store=store, actor=who, group_id=str(group["_id"]),
                                    now=clock())
    first = await post(store, clock, discussion, body="From x", who=actor("x"),
                       client_mutation_id="phone:1234")
    second = await post(store, clock, discussion, body="From x:phone", who=actor("x:phone"),
                        client_mutation_id="1234")
    assert (first["body"], second["body"]) == ("From x", "From x:phone")


async def test_a_retry_returns_only_the_same_authors_post_in_the_same_discussion(
    store, clock, group
):
    discussion, elsewhere = await start(store, clock, group), await start(
        store, clock, group, title="Another topic")
    sent = await post(store, clock, discussion, body="Once", client_mutation_id="m-1")
    assert (await post(store, clock, discussion, body="Once", client_mutation_id="m-1"))[
        "_id"] == sent["_id"]
    with pytest.raises(ValidationFailed) as caught:
        await post(store, clock, elsewhere, body="Twice", client_mutation_id="m-1")
    assert caught.value.field == "clientMutationId"
    assert await bodies(store, group, elsewhere) == ["Which games work best?"]


async def test_edits_keep_events_and_the_post_bounded(store, clock, group):
    """Thirty edits of a long post: each event carries the post once, and the post keeps
    its latest twenty versions."""
    discussion = await start(store, clock, group)
    long = await post(store, clock, discussion, body="x" * 19_000)
    for n in range(30):
        await discussions.edit_post(store=store, actor=MEMBER, post_id=str(long["_id"]),
                                    body=f"{n} " + "y" * 19_000, now=clock(),
                                    limits=RateLimits({"editPost": "100/hour"}))
    stored = await store.posts.get(post_id=str(long["_id"]))
    assert len(stored["versions"]) == 20
    assert stored["versions"][-1]["body"].startswith("28 ")
    sizes = [len(bson.encode(doc)) for doc in await store.db["events"].find(
        {"kind": "POST_EDITED"}).to_list()]
    assert len(sizes) == 30 and max(sizes) < 25_000
