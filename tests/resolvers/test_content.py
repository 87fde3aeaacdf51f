"""Group content use cases against the embedded server."""

import pytest

from resolvers import content, membership
from resolvers.domain.content import PageKind
from resolvers.domain.errors import Forbidden, InvalidTransition, ValidationFailed
from resolvers.domain.groups import Participation
from resolvers.domain.membership import GroupRole
from resolvers.domain.paging import PageRequest
from tests.conftest import actor
from tests.support import active_group

OWNER = actor("olga")
TEACHER = actor("tom")
PAGE = PageRequest(first=100, after=None, default_size=20, max_size=100)


async def add(store, clock, gid, title, position=None, kind=PageKind.PAGE, who=OWNER):
    return await content.add_page(store=store, actor=who, group_id=gid, title=title,
                                  body=f"# {title}", kind=kind, position=position, now=clock())


async def titles(store, group):
    page = await content.list_pages(store=store, actor=OWNER, viewer_role=GroupRole.OWNER,
                                    group=group, page=PAGE)
    return [(item.position, item.doc["title"]) for item in page.items]


async def test_pages_are_ordered_by_position_and_can_move(store, clock):
    group = await active_group(store, clock(), OWNER)
    gid = str(group["_id"])
    plan = await add(store, clock, gid, "Work plan", kind=PageKind.WORK_PLAN)
    await add(store, clock, gid, "Ice-breaker", kind=PageKind.ACTIVITY)
    await add(store, clock, gid, "Welcome", position=1)
    assert await titles(store, group) == [(1, "Welcome"), (2, "Work plan"), (3, "Ice-breaker")]
    moved = await content.move_page(store=store, actor=OWNER, page_id=str(plan.doc["_id"]),
                                    position=3, now=clock())
    assert moved.position == 3
    assert await titles(store, group) == [(1, "Welcome"), (2, "Ice-breaker"), (3, "Work plan")]
    await content.remove_page(store=store, actor=OWNER, page_id=str(plan.doc["_id"]),
                              now=clock())
    assert await titles(store, group) == [(1, "Welcome"), (2, "Ice-breaker")]


async def test_many_moves_keep_a_strict_order(store, clock):
    group = await active_group(store, clock(), OWNER)
    gid = str(group["_id"])
    first = await add(store, clock, gid, "A")
    await add(store, clock, gid, "B")
    await add(store, clock, gid, "C")
    moving = first.doc["_id"]
    for _ in range(80):  # squeezes between the same neighbours: ranks must be renumbered
        await content.move_page(store=store, actor=OWNER, page_id=str(moving), position=2,
                                now=clock())
        await content.move_page(store=store, actor=OWNER, page_id=str(moving), position=3,
                                now=clock())
    assert [title for _, title in await titles(store, group)] == ["B", "C", "A"]


async def test_page_bodies_are_bounded(store, clock):
    group = await active_group(store, clock(), OWNER)
    with pytest.raises(ValidationFailed) as caught:
        await content.add_page(store=store, actor=OWNER, group_id=str(group["_id"]), title="Big",
                               body="x" * 50_001, kind=PageKind.PAGE, position=None,
                               now=clock())
    assert caught.value.field == "body"


async def test_only_owners_and_moderators_change_content(store, clock):
    group = await active_group(store, clock(), OWNER)
    gid = str(group["_id"])
    await membership.join_group(store=store, actor=TEACHER, group_id=gid, now=clock())
    with pytest.raises(Forbidden):
        await content.set_welcome_message(store=store, actor=TEACHER, group_id=gid,
                                          message="Hi", now=clock())
    await membership.set_member_role(store=store, actor=OWNER, group_id=gid, user_id="tom",
                                     role=GroupRole.MODERATOR, now=clock())
    changed = await content.set_welcome_message(store=store, actor=TEACHER, group_id=gid,
                                                message="Welcome, all!", now=clock())
    assert changed["welcome_message"] == "Welcome, all!"


async def test_content_waits_for_approval(store, clock):
    from resolvers import groups
    from tests.support import group_form

    pending = await groups.create_group(store=store, actor=OWNER, form=group_form(),
                                        now=clock(), similar_recorded=0)
    with pytest.raises(InvalidTransition):
        await content.set_group_image(store=store, actor=OWNER, group_id=str(pending["_id"]),
                                      url="https://example.org/a.png", now=clock())


async def test_invite_only_pages_are_for_members(store, clock):
    group = await active_group(store, clock(), OWNER, participation=Participation.INVITE_ONLY)
    await add(store, clock, str(group["_id"]), "Plan")
    hidden = await content.list_pages(store=store, actor=TEACHER, viewer_role=None, group=group,
                                      page=PAGE)
    assert hidden is None
    shown = await content.list_pages(store=store, actor=TEACHER, viewer_role=GroupRole.MEMBER,
                                     group=group, page=PAGE)
    assert [item.doc["title"] for item in shown.items] == ["Plan"]
