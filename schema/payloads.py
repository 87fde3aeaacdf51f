"""Mutation payloads: the changed object, or any of the `Error` types.

Every payload admits every error type, so a use case that learns a new way to fail can never
produce a payload the schema refuses; clients select `... on Error { message }`.
"""

from typing import TYPE_CHECKING, Annotated, Any, Union

import strawberry

from schema.errors import ERROR_TYPES, Error
from schema.types.discussion import Discussion, Post, Report
from schema.types.group import Group
from schema.types.membership import Invitation, Membership
from schema.types.netiquette import Netiquette
from schema.types.notification import NotificationsRead
from schema.types.oversight import FeaturingCandidate
from schema.types.page import Page


def payload_union(name: str, node: type, description: str | None = None) -> Any:
    members = Union[node, *ERROR_TYPES]  # type: ignore[valid-type]  # a union made at run time
    return Annotated[members, strawberry.union(name, description=description)]


if TYPE_CHECKING:
    CreateGroupPayload = Group | Error
    UpdateGroupPayload = Group | Error
    ReviewGroupPayload = Group | Error
    JoinGroupPayload = Group | Error
    LeaveGroupPayload = Group | Error
    RemoveMemberPayload = Group | Error
    SetGroupFeaturedPayload = Group | Error
    SetGroupImagePayload = Group | Error
    SetWelcomeMessagePayload = Group | Error
    RemovePagePayload = Group | Error
    InviteMemberPayload = Invitation | Error
    RespondToInvitationPayload = Invitation | Error
    SetMemberRolePayload = Membership | Error
    AddPagePayload = Page | Error
    ExemptFromInactivityPayload = Group | Error
    EndInactivityExemptionPayload = Group | Error
    AssignAdvisorPayload = Group | Error
    ProposeForFeaturingPayload = FeaturingCandidate | Error
    DecideFeaturingCandidatePayload = FeaturingCandidate | Error
    SetNetiquettePayload = Netiquette | Error
    AcceptNetiquettePayload = Netiquette | Error
    MarkNotificationsReadPayload = NotificationsRead | Error
    FollowDiscussionPayload = Discussion | Error
    MarkDiscussionReadPayload = Discussion | Error
    SetNotifyLevelPayload = Group | Error
    StartDiscussionPayload = Discussion | Error
    LockDiscussionPayload = Discussion | Error
    PinDiscussionPayload = Discussion | Error
    AddPostPayload = Post | Error
    EditPostPayload = Post | Error
    DeletePostPayload = Post | Error
    HidePostPayload = Post | Error
    RestorePostPayload = Post | Error
    ReportPostPayload = Report | Error
    FileReportPayload = Report | Error
    ResolveReportPayload = Report | Error
    UpdatePagePayload = Page | Error
    MovePagePayload = Page | Error
else:
    CreateGroupPayload = payload_union("CreateGroupPayload", Group)
    UpdateGroupPayload = payload_union("UpdateGroupPayload", Group)
    ReviewGroupPayload = payload_union(
        "ReviewGroupPayload", Group,
        "The result of a step of the approval workflow, or of closing a group.",
    )
    JoinGroupPayload = payload_union("JoinGroupPayload", Group)
    LeaveGroupPayload = payload_union("LeaveGroupPayload", Group)
    RemoveMemberPayload = payload_union("RemoveMemberPayload", Group)
    SetGroupFeaturedPayload = payload_union("SetGroupFeaturedPayload", Group)
    SetGroupImagePayload = payload_union("SetGroupImagePayload", Group)
    SetWelcomeMessagePayload = payload_union("SetWelcomeMessagePayload", Group)
    RemovePagePayload = payload_union("RemovePagePayload", Group)
    InviteMemberPayload = payload_union("InviteMemberPayload", Invitation)
    RespondToInvitationPayload = payload_union("RespondToInvitationPayload", Invitation)
    SetMemberRolePayload = payload_union("SetMemberRolePayload", Membership)
    AddPagePayload = payload_union("AddPagePayload", Page)
    UpdatePagePayload = payload_union("UpdatePagePayload", Page)
    MovePagePayload = payload_union("MovePagePayload", Page)
    ExemptFromInactivityPayload = payload_union("ExemptFromInactivityPayload", Group)
    EndInactivityExemptionPayload = payload_union("EndInactivityExemptionPayload", Group)
    AssignAdvisorPayload = payload_union("AssignAdvisorPayload", Group)
    ProposeForFeaturingPayload = payload_union("ProposeForFeaturingPayload", FeaturingCandidate)
    DecideFeaturingCandidatePayload = payload_union("DecideFeaturingCandidatePayload",
                                                    FeaturingCandidate)
    SetNetiquettePayload = payload_union("SetNetiquettePayload", Netiquette)
    AcceptNetiquettePayload = payload_union("AcceptNetiquettePayload", Netiquette)
    MarkNotificationsReadPayload = payload_union("MarkNotificationsReadPayload",
                                                 NotificationsRead)
    FollowDiscussionPayload = payload_union("FollowDiscussionPayload", Discussion)
    MarkDiscussionReadPayload = payload_union("MarkDiscussionReadPayload", Discussion)
    SetNotifyLevelPayload = payload_union("SetNotifyLevelPayload", Group)
    StartDiscussionPayload = payload_union("StartDiscussionPayload", Discussion)
    LockDiscussionPayload = payload_union("LockDiscussionPayload", Discussion)
    PinDiscussionPayload = payload_union("PinDiscussionPayload", Discussion)
    AddPostPayload = payload_union("AddPostPayload", Post)
    EditPostPayload = payload_union("EditPostPayload", Post)
    DeletePostPayload = payload_union("DeletePostPayload", Post)
    HidePostPayload = payload_union("HidePostPayload", Post)
    RestorePostPayload = payload_union("RestorePostPayload", Post)
    ReportPostPayload = payload_union("ReportPostPayload", Report)
    FileReportPayload = payload_union("FileReportPayload", Report)
    ResolveReportPayload = payload_union("ResolveReportPayload", Report)
