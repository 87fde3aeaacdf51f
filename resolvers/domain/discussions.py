"""Discussions and posts: who may start, post, edit, delete, read, and moderate them."""

from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from resolvers.domain.actors import Actor
from resolvers.domain.errors import Forbidden, InvalidTransition, ValidationFailed
from resolvers.domain.forms import checked_text
from resolvers.domain.groups import GroupDoc, oversees, require_active
from resolvers.domain.membership import LEADERS, GroupRole, may_read_content

DISCUSSION_TITLE_LENGTH = (3, 200)
POST_BODY_LENGTH = (1, 20_000)
VERSIONS_KEPT = 20  # a post keeps its latest earlier versions, for moderators
CLIENT_MUTATION_ID_LENGTH = (1, 100)



class DiscussionDoc(TypedDict, total=False):
    """A discussion as stored in the `discussions` collection."""

    _id: Any
    group_id: str
    title: str
    author_id: str
    created_at: datetime
    updated_at: datetime
    last_post_at: datetime
    post_count: int  # every post, hidden and deleted ones too
    published_count: int  # posts neither hidden nor deleted, for unread counts
    pinned: bool
    locked: bool
    outbox: list[dict[str, Any]]  # events waiting to enter the log


class PostDoc(TypedDict, total=False):
    """A post as stored in the `posts` collection."""

    _id: Any
    discussion_id: str
    group_id: str
    author_id: str
    body: str  # empty once deleted
    reply_to_id: str | None
    reply_to_author_id: str | None  # whom the reply notifies
    mentions: list[str]  # the members its text names by handle
    attachments: list[dict[str, Any]]  # files in GridFS: id, name, type, size, thumbnail
    client_key: str  # the author and their `clientMutationId`, when given
    created_at: datetime
    edited_at: datetime | None
    versions: list[dict[str, Any]]  # the latest earlier texts, for moderators
    hidden: dict[str, Any] | None  # why, when and by whom
    deleted_at: datetime | None
    deleted_by: str
    outbox: list[dict[str, Any]]


class ModerationAction(StrEnum):
    APPROVE_GROUP = "APPROVE_GROUP"
    REJECT_GROUP = "REJECT_GROUP"
    REQUEST_GROUP_INFO = "REQUEST_GROUP_INFO"
    ANSWER_INFO_REQUEST = "ANSWER_INFO_REQUEST"
    CLOSE_GROUP = "CLOSE_GROUP"
    REOPEN_GROUP = "REOPEN_GROUP"
    WITHDRAW_GROUP = "WITHDRAW_GROUP"
    HIDE_POST = "HIDE_POST"
    RESTORE_POST = "RESTORE_POST"
    DELETE_POST = "DELETE_POST"
    LOCK_DISCUSSION = "LOCK_DISCUSSION"
    UNLOCK_DISCUSSION = "UNLOCK_DISCUSSION"
    PIN_DISCUSSION = "PIN_DISCUSSION"
    UNPIN_DISCUSSION = "UNPIN_DISCUSSION"
    REMOVE_MEMBER = "REMOVE_MEMBER"
    SET_MEMBER_ROLE = "SET_MEMBER_ROLE"
    FEATURE_GROUP = "FEATURE_GROUP"
    UNFEATURE_GROUP = "UNFEATURE_GROUP"
    RESOLVE_REPORT = "RESOLVE_REPORT"
    EXEMPT_FROM_INACTIVITY = "EXEMPT_FROM_INACTIVITY"
    FLAG_INACTIVE = "FLAG_INACTIVE"
    END_INACTIVITY_EXEMPTION = "END_INACTIVITY_EXEMPTION"
    ASSIGN_ADVISOR = "ASSIGN_ADVISOR"
    PROPOSE_FOR_FEATURING = "PROPOSE_FOR_FEATURING"
    ACCEPT_FOR_FEATURING = "ACCEPT_FOR_FEATURING"
    DECLINE_FOR_FEATURING = "DECLINE_FOR_FEATURING"


def checked_title(title: str) -> str:
    return checked_text("title", title, DISCUSSION_TITLE_LENGTH)


def checked_body(body: str) -> str:
    """A post body: 1 to 20,000 characters; kept as written (Markdown), only trimmed."""
    return checked_text("body", body, POST_BODY_LENGTH)


def checked_client_mutation_id(value: str | None) -> str | None:
    if value is None:
        return None
    return checked_text("clientMutationId", value, CLIENT_MUTATION_ID_LENGTH)


def may_moderate(actor: Actor, group: GroupDoc, role: GroupRole | None) -> bool:
    """Group owners and moderators; the CSS everywhere; NSS users in their country."""
    return role in LEADERS or oversees(actor, group)


def check_may_moderate(actor: Actor, group: GroupDoc, role: GroupRole | None) -> None:
    if not may_moderate(actor, group, role):
        raise Forbidden("Only the group's moderators and the support services moderate it")


def check_may_write(group: GroupDoc, role: GroupRole | None, action: str) -> None:
    """Members write in active groups."""
    if role is None:
        raise Forbidden("Only members of the group write in it")
    require_active(group, action)


def check_may_post(group: GroupDoc, role: GroupRole | None, discussion: DiscussionDoc) -> None:
    check_may_write(group, role, "addPost")
    _check_open(discussion, "addPost")


def _check_open(discussion: DiscussionDoc, action: str) -> None:
    if discussion.get("locked"):
        raise InvalidTransition("LOCKED", action, "This discussion is locked")


def check_reply_target(discussion: DiscussionDoc, target: PostDoc | None) -> None:
    if target is None or target["discussion_id"] != str(discussion["_id"]):
        raise ValidationFailed("replyToId", "a reply must point at a post of the same discussion")


def _check_standing(post: PostDoc, action: str) -> None:
    if post.get("deleted_at"):
        raise InvalidTransition("DELETED", action, "This post was deleted")
    if is_hidden(post):
        raise InvalidTransition("HIDDEN", action, "This post was hidden by a moderator")


def check_may_edit_post(
    actor: Actor, group: GroupDoc, role: GroupRole | None, discussion: DiscussionDoc,
    post: PostDoc,
) -> None:
    """The author edits, while they are a member of the active group, the discussion is not
    locked, and the post is neither hidden nor deleted."""
    if post["author_id"] != actor.id:
        raise Forbidden("Only the author edits a post")
    check_may_write(group, role, "editPost")
    _check_open(discussion, "editPost")
    _check_standing(post, "editPost")


def check_may_delete_post(
    actor: Actor, group: GroupDoc, role: GroupRole | None, discussion: DiscussionDoc,
    post: PostDoc,
) -> None:
    """In an active group: a moderator deletes any post; its author deletes it on the terms on
    which they may edit it."""
    if may_moderate(actor, group, role):
        require_active(group, "deletePost")
        if post.get("deleted_at"):
            raise InvalidTransition("DELETED", "deletePost", "This post was deleted")
        return
    if post["author_id"] != actor.id:
        raise Forbidden("Only the author or a moderator deletes a post")
    check_may_write(group, role, "deletePost")
    _check_open(discussion, "deletePost")
    _check_standing(post, "deletePost")


def may_read(actor: Actor | None, group: GroupDoc, role: GroupRole | None) -> bool:
    """Discussions follow the content rule: open groups for every signed-in teacher,
    invite-only groups for members; the support services always."""
    return may_read_content(actor, group, role)


def may_see_hidden(actor: Actor | None, group: GroupDoc, role: GroupRole | None) -> bool:
    return actor is not None and may_moderate(actor, group, role)


def is_hidden(post: PostDoc) -> bool:
    return post.get("hidden") is not None


def is_published(post: PostDoc) -> bool:
    """Neither hidden nor deleted: what unread counts count."""
    return not is_hidden(post) and post.get("deleted_at") is None


def unread_count(published: int, read: int) -> int:
    """Of `published` posts, those a reader who has read `read` of them has not."""
    return max(0, published - read)


def hidden_record(actor: Actor, reason: str, now: datetime) -> dict[str, Any]:
    return {"by_id": actor.id, "by_name": actor.name, "reason": reason, "at": now}
