"""Every mutation, called by every kind of actor: allowed or refused as `permissions.py` says,
and a refused call changes nothing in the database."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from strawberry.relay import to_base64

from api.app import build_app
from api.settings import Environment, Settings
from resolvers import (
    content,
    discussions,
    groups,
    membership,
    moderation,
    netiquette,
    oversight,
    reports,
)
from resolvers.domain.actors import Actor, Role
from resolvers.domain.content import PageKind
from resolvers.domain.groups import GroupAction, Participation
from resolvers.domain.membership import GroupRole
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.reports import ReportReason, ReportTarget
from resolvers.store import Store
from tests.api.permissions import ACTORS, MATRIX, allowed, render
from tests.conftest import Tokens
from tests.support import (
    Clock,
    Documents,
    LifespanApp,
    active_group,
    documents_of,
    gql,
    group_form,
    group_input,
    restore,
)

DOCS = Path(__file__).parents[2] / "docs" / "permissions.md"

PEOPLE = {
    "teacher": Actor("tom", "Tom", frozenset({Role.TEACHER}), "ES"),
    "member": Actor("mia", "Mia", frozenset({Role.TEACHER}), "ES"),
    "moderator": Actor("max", "Max", frozenset({Role.TEACHER}), "ES"),
    "owner": Actor("olga", "Olga", frozenset({Role.TEACHER}), "ES"),
    "css": Actor("carla", "Carla", frozenset({Role.CSS}), None),
    "nss_same": Actor("nuria", "Nuria", frozenset({Role.NSS}), "ES"),
    "nss_other": Actor("francois", "Francois", frozenset({Role.NSS}), "FR"),
}
TINA = Actor("tina", "Tina", frozenset({Role.TEACHER}), "ES")  # a member others act upon
ULA = Actor("ula", "Ula", frozenset({Role.TEACHER}), "IT")  # a teacher others invite


async def build_world(store, now) -> dict[str, str]:
    """Groups in every state the matrix needs, with global IDs for the calls."""
    owner, css = PEOPLE["owner"], PEOPLE["css"]
    await netiquette.publish(store=store, actor=css, text="Be kind.", now=now)
    for person in (*PEOPLE.values(), TINA, ULA):
        await store.users.record(actor=person, now=now)
        await netiquette.accept(store=store, actor=person, version=1)

    async def populate(group: dict[str, Any]) -> str:
        gid = str(group["_id"])
        for person, role in ((PEOPLE["member"], None), (PEOPLE["moderator"], "MODERATOR"),
                             (TINA, None)):
            if group.get("participation") == "INVITE_ONLY":
                invitation = await membership.invite_member(
                    store=store, actor=owner, group_id=gid, user_id=person.id, now=now)
                await membership.respond_to_invitation(
                    store=store, actor=person, invitation_id=invitation["_id"], accept=True,
                    now=now)
            else:
                await membership.join_group(store=store, actor=person, group_id=gid, now=now)
            if role:
                await membership.set_member_role(
                    store=store, actor=css, group_id=gid, user_id=person.id,
                    role=GroupRole(role), now=now)
        return gid

    active = await populate(await active_group(store, now, owner, title="Active open group"))
    invite_only = await populate(await active_group(
        store, now, owner, title="Invite-only group", participation=Participation.INVITE_ONLY))
    featured_doc = await groups.create_group(
        store=store, actor=owner, form=group_form(title="Featured group"), now=now,
        similar_recorded=0)
    await groups.transition_group(store=store, actor=css, group_id=str(featured_doc["_id"]),
                                  action=GroupAction.APPROVE, message=None, now=now)
    featured = await populate(featured_doc)
    await membership.set_group_featured(store=store, actor=css, group_id=featured,
                                        featured=True, now=now,
                                        keep_moderators=[PEOPLE["moderator"].id])
    pending = await groups.create_group(store=store, actor=owner, form=group_form(
        title="Pending group"), now=now, similar_recorded=0)
    asked = await groups.create_group(store=store, actor=owner, form=group_form(
        title="Asked group"), now=now, similar_recorded=0)
    await groups.transition_group(store=store, actor=css, group_id=str(asked["_id"]),
                                  action=GroupAction.REQUEST_INFO, message="Ages?", now=now)
    page = await content.add_page(store=store, actor=owner, group_id=active, title="Plan",
                                  body="", kind=PageKind.WORK_PLAN, position=None, now=now)
    await content.add_page(store=store, actor=owner, group_id=active, title="Other", body="",
                           kind=PageKind.PAGE, position=None, now=now)
    invitation = await membership.invite_member(store=store, actor=owner, group_id=active,
                                                user_id="tom", now=now)
    limits = RateLimits({})

    async def say(who: Actor, thread: dict[str, Any], body: str) -> dict[str, Any]:
        return await discussions.add_post(
            store=store, actor=who, discussion_id=str(thread["_id"]), body=body,
            reply_to_id=None, client_mutation_id=None, now=now, limits=limits)

    async def members_post(group_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        thread = await discussions.start_discussion(
            store=store, actor=PEOPLE["member"], group_id=group_id, title="A thread",
            body="Opening words", now=now, limits=limits)
        return thread, await say(PEOPLE["member"], thread, "My words")

    discussion, mine = await members_post(active)
    tinas = await say(TINA, discussion, "Buy my course")
    hidden = await say(TINA, discussion, "Rude")
    await moderation.hide_post(store=store, actor=owner, post_id=str(hidden["_id"]),
                               reason="Rude", now=now)
    report = await reports.report_post(
        store=store, actor=TINA, post_id=str(mine["_id"]),
        reason=ReportReason.COMMERCIAL, note=None, now=now, limits=limits)
    my_hidden = await say(PEOPLE["member"], discussion, "My rude idea")
    await moderation.hide_post(store=store, actor=owner, post_id=str(my_hidden["_id"]),
                               reason="Rude", now=now)
    locked_thread, in_locked = await members_post(active)
    await moderation.flag_discussion(store=store, actor=owner,
                                     discussion_id=str(locked_thread["_id"]), flag="locked",
                                     value=True, reason="Heated", now=now)
    closed = await populate(await active_group(store, now, owner, title="Closed group"))
    _, in_closed = await members_post(closed)
    await groups.transition_group(store=store, actor=owner, group_id=closed,
                                  action=GroupAction.CLOSE, message="Done", now=now)
    await oversight.exempt_from_inactivity(store=store, actor=css, group_id=active,
                                           until=datetime(2027, 3, 1, tzinfo=UTC),
                                           reason="Summer", now=now)
    group_report = await reports.file_report(
        store=store, actor=TINA, target=ReportTarget.GROUP, target_id=active,
        reason=ReportReason.OFF_TOPIC, note=None, now=now, limits=limits)
    candidate = await oversight.propose_for_featuring(
        store=store, actor=PEOPLE["nss_same"], group_id=invite_only, reason="Lively", now=now)
    left = await populate(await active_group(store, now, owner, title="Group Mia left"))
    _, after_removal = await members_post(left)
    await membership.remove_member(store=store, actor=owner, group_id=left,
                                   user_id=PEOPLE["member"].id, reason="Spam", now=now)
    return {
        "closed": to_base64("Group", closed),
        "my_hidden_post": to_base64("Post", str(my_hidden["_id"])),
        "post_in_locked": to_base64("Post", str(in_locked["_id"])),
        "post_in_closed": to_base64("Post", str(in_closed["_id"])),
        "post_after_removal": to_base64("Post", str(after_removal["_id"])),
        "active": to_base64("Group", active),
        "invite_only": to_base64("Group", invite_only),
        "featured": to_base64("Group", featured),
        "pending": to_base64("Group", str(pending["_id"])),
        "asked": to_base64("Group", str(asked["_id"])),
        "page": to_base64("Page", str(page.doc["_id"])),
        "invitation": to_base64("Invitation", invitation["_id"]),
        "tina": to_base64("User", "tina"),
        "ula": to_base64("User", "ula"),
        "discussion": to_base64("Discussion", str(discussion["_id"])),
        "my_post": to_base64("Post", str(mine["_id"])),
        "tinas_post": to_base64("Post", str(tinas["_id"])),
        "hidden_post": to_base64("Post", str(hidden["_id"])),
        "report": to_base64("Report", str(report["_id"])),
        "group_report": to_base64("Report", str(group_report["_id"])),
        "candidate": to_base64("FeaturingCandidate", str(candidate["_id"])),
        "carla": to_base64("User", "carla"),
    }


def call(mutation: str, ids: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """(GraphQL field, input type, input) for one row of the matrix."""
    g = ids["active"]
    rows: dict[str, tuple[str, str, dict[str, Any]]] = {
        "createGroup": ("createGroup", "CreateGroupInput", group_input()),
        "createGroup (featured)": ("createGroup", "CreateGroupInput",
                                   {**group_input(), "featured": True}),
        "updateGroup": ("updateGroup", "UpdateGroupInput",
                        {"groupId": ids["pending"], "title": "A better title"}),
        "updateGroup (active)": ("updateGroup", "UpdateGroupInput",
                                 {"groupId": g, "title": "A better title"}),
        "updateGroup (closed)": ("updateGroup", "UpdateGroupInput",
                                 {"groupId": ids["closed"], "title": "A better title"}),
        "approveGroup": ("approveGroup", "ApproveGroupInput", {"groupId": ids["pending"]}),
        "rejectGroup": ("rejectGroup", "RejectGroupInput",
                        {"groupId": ids["pending"], "reason": "Duplicate"}),
        "requestGroupInfo": ("requestGroupInfo", "RequestGroupInfoInput",
                             {"groupId": ids["pending"], "message": "Which ages?"}),
        "answerInfoRequest": ("answerInfoRequest", "AnswerInfoRequestInput",
                              {"groupId": ids["asked"], "message": "Ages 8 to 10"}),
        "closeGroup": ("closeGroup", "CloseGroupInput", {"groupId": g, "reason": "Done"}),
        "reopenGroup": ("reopenGroup", "ReopenGroupInput",
                        {"groupId": ids["closed"], "reason": "Its members asked"}),
        "reopenGroup (active)": ("reopenGroup", "ReopenGroupInput",
                                 {"groupId": g, "reason": "Its members asked"}),
        "withdrawGroup": ("withdrawGroup", "WithdrawGroupInput", {"groupId": ids["pending"]}),
        "withdrawGroup (asked)": ("withdrawGroup", "WithdrawGroupInput",
                                  {"groupId": ids["asked"], "reason": "Joining another"}),
        "withdrawGroup (active)": ("withdrawGroup", "WithdrawGroupInput", {"groupId": g}),
        "setGroupFeatured": ("setGroupFeatured", "SetGroupFeaturedInput",
                             {"groupId": g, "featured": True}),
        "setGroupFeatured (pending)": ("setGroupFeatured", "SetGroupFeaturedInput",
                                       {"groupId": ids["pending"], "featured": True}),
        "joinGroup": ("joinGroup", "JoinGroupInput", {"groupId": g}),
        "joinGroup (invite-only)": ("joinGroup", "JoinGroupInput",
                                    {"groupId": ids["invite_only"]}),
        "leaveGroup": ("leaveGroup", "LeaveGroupInput", {"groupId": g}),
        "inviteMember": ("inviteMember", "InviteMemberInput",
                         {"groupId": g, "userId": ids["ula"]}),
        "respondToInvitation": ("respondToInvitation", "RespondToInvitationInput",
                                {"invitationId": ids["invitation"], "accept": True}),
        "setMemberRole": ("setMemberRole", "SetMemberRoleInput",
                          {"groupId": g, "userId": ids["tina"], "role": "MODERATOR"}),
        "setMemberRole (featured)": ("setMemberRole", "SetMemberRoleInput",
                                     {"groupId": ids["featured"], "userId": ids["tina"],
                                      "role": "MODERATOR"}),
        "setMemberRole (featured owner)": ("setMemberRole", "SetMemberRoleInput",
                                           {"groupId": ids["featured"], "userId": ids["tina"],
                                            "role": "OWNER"}),
        "removeMember": ("removeMember", "RemoveMemberInput",
                         {"groupId": g, "userId": ids["tina"], "reason": "Spam"}),
        "setGroupImage": ("setGroupImage", "SetGroupImageInput",
                          {"groupId": g, "url": "https://example.org/g.png"}),
        "setWelcomeMessage": ("setWelcomeMessage", "SetWelcomeMessageInput",
                              {"groupId": g, "message": "Welcome!"}),
        "addPage": ("addPage", "AddPageInput", {"groupId": g, "title": "New", "body": "Hi"}),
        "updatePage": ("updatePage", "UpdatePageInput", {"pageId": ids["page"], "body": "New"}),
        "movePage": ("movePage", "MovePageInput", {"pageId": ids["page"], "position": 2}),
        "removePage": ("removePage", "RemovePageInput", {"pageId": ids["page"]}),
        "startDiscussion": ("startDiscussion", "StartDiscussionInput",
                            {"groupId": g, "title": "A new topic", "body": "Hello"}),
        "addPost": ("addPost", "AddPostInput", {"discussionId": ids["discussion"], "body": "Hi"}),
        "editPost": ("editPost", "EditPostInput", {"postId": ids["my_post"], "body": "Better"}),
        "deletePost": ("deletePost", "DeletePostInput", {"postId": ids["my_post"]}),
        **{
            f"{mutation} ({state})": (mutation, f"{mutation[0].upper()}{mutation[1:]}Input",
                                      {"postId": ids[post], **extra})
            for mutation, extra in (("editPost", {"body": "Better"}), ("deletePost", {}))
            for state, post in (
                ("hidden post", "my_hidden_post"), ("locked discussion", "post_in_locked"),
                ("closed group", "post_in_closed"), ("author removed", "post_after_removal"),
            )
        },
        "hidePost": ("hidePost", "HidePostInput", {"postId": ids["tinas_post"], "reason": "Ad"}),
        "restorePost": ("restorePost", "RestorePostInput",
                        {"postId": ids["hidden_post"], "reason": "Appeal"}),
        "lockDiscussion": ("lockDiscussion", "LockDiscussionInput",
                           {"discussionId": ids["discussion"], "reason": "Heated"}),
        "pinDiscussion": ("pinDiscussion", "PinDiscussionInput",
                          {"discussionId": ids["discussion"]}),
        "reportPost": ("reportPost", "ReportPostInput",
                       {"postId": ids["tinas_post"], "reason": "SPAM"}),
        **{
            f"fileReport ({kind})": ("fileReport", "FileReportInput",
                                     {"targetId": ids[target], "reason": "OFFENSIVE"})
            for kind, target in (("discussion", "discussion"), ("page", "page"),
                                 ("group", "active"))
        },
        "resolveReport": ("resolveReport", "ResolveReportInput",
                          {"reportId": ids["report"], "action": "DISMISS"}),
        "resolveReport (group)": ("resolveReport", "ResolveReportInput",
                                  {"reportId": ids["group_report"], "action": "DISMISS"}),
        "exemptFromInactivity": ("exemptFromInactivity", "ExemptFromInactivityInput",
                                 {"groupId": g, "until": "2027-06-01T00:00:00+00:00",
                                  "reason": "Summer"}),
        "endInactivityExemption": ("endInactivityExemption", "EndInactivityExemptionInput",
                                   {"groupId": g, "reason": "Back to school"}),
        "assignAdvisor": ("assignAdvisor", "AssignAdvisorInput",
                          {"groupId": g, "advisorId": ids["carla"]}),
        "proposeForFeaturing": ("proposeForFeaturing", "ProposeForFeaturingInput",
                                {"groupId": g, "reason": "Its activity"}),
        "decideFeaturingCandidate": ("decideFeaturingCandidate", "DecideFeaturingCandidateInput",
                                     {"candidateId": ids["candidate"], "accept": True}),
        "setNetiquette": ("setNetiquette", "SetNetiquetteInput", {"text": "Be kinder."}),
        "acceptNetiquette": ("acceptNetiquette", "AcceptNetiquetteInput", {"version": 1}),
        "markNotificationsRead": ("markNotificationsRead", "MarkNotificationsReadInput",
                                  {"ids": []}),
        **{
            mutation: (mutation, "FollowDiscussionInput", {"discussionId": ids["discussion"]})
            for mutation in ("followDiscussion", "muteDiscussion")
        },
        "setGroupNotifyLevel": ("setGroupNotifyLevel", "SetNotifyLevelInput",
                                {"groupId": g, "level": "ALL"}),
        "markDiscussionRead": ("markDiscussionRead", "MarkDiscussionReadInput",
                               {"discussionId": ids["discussion"]}),
    }
    return rows[mutation]


async def snapshot(store) -> dict[str, list[dict[str, Any]]]:
    """Everything but the `users` collection, which records callers on sight."""
    return without_users(await documents_of(store.db))


def without_users(documents: Documents) -> Documents:
    return {name: docs for name, docs in documents.items() if name != "users"}


# A call refused for the state of its target (a closed group, a locked discussion, a hidden
# post) is answered InvalidTransitionError.
DENIALS = {"UnauthenticatedError", "ForbiddenError", "NotFoundError", "InvalidTransitionError"}


NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def world(mongo_client) -> Any:
    """The world, built once through the use cases; each test gets a copy of it."""
    name = "test_permission_world"
    template = Store(mongo_client[name])
    await template.ensure_indexes()
    ids = await build_world(template, NOW)
    documents = await documents_of(template.db)
    await mongo_client.drop_database(name)
    return ids, documents


@pytest.fixture(scope="module")
async def served(mongodb_uri, mongo_client) -> AsyncIterator[tuple[httpx2.AsyncClient, Store,
                                                                   Tokens]]:
    """One API on one database for the whole matrix: each call is made in a copy of the world
    restored there (starting an API for each of the 500 calls was most of their time)."""
    settings = Settings(env=Environment.TEST, mongodb_uri=mongodb_uri,
                        mongodb_database=f"test_matrix_{uuid.uuid4().hex[:8]}",
                        notifier=False, search_indexer=False)
    store = Store(mongo_client[settings.mongodb_database])
    async with LifespanApp(build_app(settings, clock=Clock(NOW))) as app:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://agora.test") as http:
            yield http, store, Tokens(settings)
    await mongo_client.drop_database(settings.mongodb_database)


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("mutation", list(MATRIX))
async def test_permission_matrix(served, world, mutation, who):
    client, store, tokens = served
    ids, documents = world
    held = await restore(store.db, documents)
    field, input_type, variables = call(mutation, ids)
    query = f"""mutation($input: {input_type}!) {{ {field}(input: $input) {{
        __typename ... on Error {{ message }} }} }}"""
    person = PEOPLE.get(who)
    headers = {} if person is None else {"Authorization": "Bearer " + tokens(
        person.id, *sorted(person.roles), country=person.country, name=person.name)}
    before = without_users(held)
    body = await gql(client, query, {"input": variables}, headers=headers)
    outcome = body["data"][field]["__typename"]
    if allowed(mutation, who):
        assert outcome not in DENIALS and not outcome.endswith("Error"), body
    else:
        assert outcome in DENIALS, body
        assert await snapshot(store) == before


def test_the_permission_docs_match_the_table():
    assert DOCS.read_text() == render(), (
        "docs/permissions.md is stale: run `.venv/bin/python -m tests.api.permissions "
        "> docs/permissions.md`"
    )
