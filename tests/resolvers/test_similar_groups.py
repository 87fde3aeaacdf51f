"""Similar-group search over thirty groups in several languages, on the embedded server."""

import asyncio

from resolvers import groups
from resolvers.domain import similarity
from resolvers.domain.actors import Role
from resolvers.domain.groups import GroupAction
from tests.conftest import actor
from tests.groups_seed import NEAR_DUPLICATE, OTHERS, UNRELATED

CSS = actor("carla", Role.CSS, country=None)
TEACHER = actor("tom")

PROPOSAL = similarity.profile_of(
    title="Coding with robots for primary pupils",
    description="Educational robots and block programming in the primary classroom.",
    objectives="Teach coding to primary pupils with robots and share robotics lesson plans.",
    topics=["coding", "robotics"],
    languages=["en", "fr"],
)


async def seed(store, clock, forms=(NEAR_DUPLICATE, UNRELATED, *OTHERS)):
    """Active groups of `forms`, proposed in turn, each by an owner of its own."""
    created = {}
    for index, form in enumerate(forms):
        owner = actor(f"owner{index}")
        doc = await groups.create_group(
            store=store, actor=owner, form=form, now=clock(), similar_recorded=5
        )
        await groups.transition_group(
            store=store, actor=CSS, group_id=str(doc["_id"]), action=GroupAction.APPROVE,
            message=None, now=clock(),
        )
        created[form.title] = str(doc["_id"])
    return created


async def test_the_near_duplicate_ranks_first_and_the_unrelated_group_is_absent(store, clock):
    created = await seed(store, clock)
    found = await groups.similar_groups(
        store=store, actor=TEACHER, proposal=PROPOSAL, first=10, max_size=100
    )
    titles = [item.group["title"] for item in found]
    assert titles[0] == NEAR_DUPLICATE.title
    assert UNRELATED.title not in titles
    best = found[0].match
    assert 0 < best.score <= 1
    assert set(best.shared_topics) == {"coding", "robotics"}
    assert best.shared_languages == ("en",)
    assert "robot" in best.matched_terms
    assert all(0 < item.match.score <= 1 for item in found)
    assert [item.match.score for item in found] == sorted(
        (item.match.score for item in found), reverse=True
    )
    assert str(found[0].group["_id"]) == created[NEAR_DUPLICATE.title]


async def test_create_group_records_the_near_duplicate_for_the_css(store, clock):
    await seed(store, clock)
    form = NEAR_DUPLICATE.__class__(
        title="Coding with robots for primary pupils",
        description="Educational robots and block programming in the primary classroom.",
        objectives="Teach coding to primary pupils with robots and share robotics lesson plans.",
        participation=NEAR_DUPLICATE.participation,
        languages=("en",),
        topics=("coding", "robotics"),
    )
    doc = await groups.create_group(
        store=store, actor=TEACHER, form=form, now=clock(), similar_recorded=3
    )
    recorded = await groups.recorded_similar(store=store, actor=CSS, group=doc)
    assert recorded[0].group["title"] == NEAR_DUPLICATE.title
    assert len(recorded) <= 3


async def pending_near_duplicate(store, clock):
    """Olga's proposal like PROPOSAL, awaiting review; its owner."""
    owner = actor("olga")
    await groups.create_group(
        store=store, actor=owner, form=NEAR_DUPLICATE, now=clock(), similar_recorded=0
    )
    return owner


async def test_pending_groups_of_others_stay_hidden_from_teachers(store, clock):
    owner = await pending_near_duplicate(store, clock)
    as_teacher, as_css, as_owner = await asyncio.gather(
        *(
            groups.similar_groups(store=store, actor=who, proposal=PROPOSAL, first=5,
                                  max_size=100)
            for who in (TEACHER, CSS, owner)
        )
    )
    assert as_teacher == []
    assert [item.group["title"] for item in as_css] == [NEAR_DUPLICATE.title]
    assert [item.group["title"] for item in as_owner] == [NEAR_DUPLICATE.title]


async def test_a_bounded_pool_reads_title_and_topic_matches_before_newer_weaker_ones(
    store, clock, monkeypatch
):
    """Ranking reads at most SIMILARITY_POOL candidates whatever the number of groups; the
    near duplicate, older than many groups sharing only a common word, is among them."""
    monkeypatch.setattr(groups, "SIMILARITY_POOL", 3)
    gardens = [UNRELATED.__class__(
        title=f"School garden {index}", description="Plants in the classroom.",
        objectives="Grow vegetables with the families.", participation=UNRELATED.participation,
        languages=("de",), topics=("gardening",)) for index in range(6)]
    # The near duplicate first; then newer groups sharing only "classroom" with the proposal.
    await seed(store, clock, [NEAR_DUPLICATE, *gardens])
    found = await groups.similar_groups(
        store=store, actor=TEACHER, proposal=PROPOSAL, first=10, max_size=100
    )
    assert found[0].group["title"] == NEAR_DUPLICATE.title
    assert len(found) <= 3


async def test_a_proposer_learns_a_match_is_pending_but_not_which(store, clock):
    owner = await pending_near_duplicate(store, clock)
    counts = await asyncio.gather(*(
        groups.pending_similar(store=store, actor=who, proposal=PROPOSAL)
        for who in (TEACHER, CSS, owner)))
    # The teacher sees no group, and hears that one like theirs awaits review; those who see
    # it hear nothing more.
    assert counts == [1, 0, 0]
    await seed(store, clock)  # active groups match too: they are shown, not counted
    assert await groups.pending_similar(store=store, actor=TEACHER, proposal=PROPOSAL) == 1
