"""Mutation inputs and query filters; each becomes a domain value here."""

from datetime import datetime

import strawberry
from starlette.datastructures import UploadFile
from strawberry import relay
from strawberry.file_uploads import Upload

from resolvers.domain import similarity
from resolvers.domain.content import PageKind
from resolvers.domain.errors import NotFound, ValidationFailed
from resolvers.domain.forms import FormChanges, GroupForm
from resolvers.domain.groups import GroupStatus, Participation
from resolvers.domain.membership import GroupRole
from resolvers.domain.notifications import NotifyLevel
from resolvers.domain.reports import ReportAction, ReportReason, ReportTarget
from resolvers.files import Uploaded


def node_id(global_id: relay.GlobalID, type_name: str) -> str:
    """The id inside a global ID of `type_name`; NotFound for an ID of another type."""
    if global_id.type_name != type_name:
        raise NotFound(type_name, global_id.node_id, type_name=global_id.type_name)
    return global_id.node_id


def reported_kind(global_id: relay.GlobalID) -> ReportTarget:
    """What a report's target ID names; NotFound for anything that cannot be reported."""
    try:
        return ReportTarget(global_id.type_name)
    except ValueError:
        raise NotFound("Report target", global_id.node_id,
                       type_name=global_id.type_name) from None


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


@strawberry.input
class CreateGroupInput:
    title: str = strawberry.field(description="Short and attractive: 5 to 120 characters.")
    description: str
    objectives: str = strawberry.field(
        description="In English (a translation may follow), 30 to 5,000 characters."
    )
    participation: Participation
    languages: list[str] = strawberry.field(description="ISO 639-1 codes, 1 to 10.")
    topics: list[str] = strawberry.field(description="1 to 10; stored lowercase.")
    featured: bool = strawberry.field(
        default=False, description="CSS only: a featured group starts active, without review."
    )

    def to_form(self) -> GroupForm:
        return GroupForm(
            title=self.title,
            description=self.description,
            objectives=self.objectives,
            participation=Participation(self.participation),
            languages=tuple(self.languages),
            topics=tuple(self.topics),
        )


@strawberry.input(description="Fields left out stay as they are.")
class GroupFormChanges:
    title: str | None = None
    description: str | None = None
    objectives: str | None = None
    participation: Participation | None = None
    languages: list[str] | None = None
    topics: list[str] | None = None

    def to_changes(self) -> FormChanges:
        return FormChanges(
            title=self.title,
            description=self.description,
            objectives=self.objectives,
            participation=Participation(self.participation) if self.participation else None,
            languages=_tuple(self.languages),
            topics=_tuple(self.topics),
        )


@strawberry.input
class UpdateGroupInput(GroupFormChanges):
    group_id: relay.GlobalID


@strawberry.input
class ApproveGroupInput:
    group_id: relay.GlobalID
    note: str | None = None


@strawberry.input
class RejectGroupInput:
    group_id: relay.GlobalID
    reason: str


@strawberry.input
class RequestGroupInfoInput:
    group_id: relay.GlobalID
    message: str = strawberry.field(description="What the CSS needs to know.")


@strawberry.input(description="The owner's answer; the form may be edited at the same time.")
class AnswerInfoRequestInput(GroupFormChanges):
    group_id: relay.GlobalID
    message: str


@strawberry.input
class CloseGroupInput:
    group_id: relay.GlobalID
    reason: str


@strawberry.input
class ReopenGroupInput:
    group_id: relay.GlobalID
    reason: str


@strawberry.input
class WithdrawGroupInput:
    group_id: relay.GlobalID
    reason: str | None = None


@strawberry.input
class GroupFilterInput:
    status: GroupStatus | None = None
    topic: str | None = None
    language: str | None = None
    search: str | None = strawberry.field(
        default=None, description="Words that must all appear in the title, text or topics."
    )
    featured: bool | None = None


@strawberry.input(description="A group being proposed; only the title is required.")
class SimilarGroupsInput:
    title: str
    description: str = ""
    objectives: str = ""
    topics: list[str] = strawberry.field(default_factory=list)
    languages: list[str] = strawberry.field(default_factory=list)
    exclude_group_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Leave this group out, e.g. the one being edited."
    )

    def to_profile(self) -> similarity.Profile:
        return similarity.profile_of(
            title=self.title,
            description=self.description,
            objectives=self.objectives,
            topics=[" ".join(topic.lower().split()) for topic in self.topics],
            languages=[language.strip().lower() for language in self.languages],
        )


@strawberry.input
class GroupInput:
    """Names one group."""

    group_id: relay.GlobalID


@strawberry.input
class JoinGroupInput(GroupInput):
    netiquette_version: int | None = strawberry.field(
        default=None, description="The version of the netiquette shown to the user, who "
        "accepts it by joining; left out, the current one.")


@strawberry.input
class LeaveGroupInput(GroupInput):
    pass


@strawberry.input
class InviteMemberInput(GroupInput):
    user_id: relay.GlobalID


@strawberry.input
class RespondToInvitationInput:
    invitation_id: relay.GlobalID
    accept: bool
    netiquette_version: int | None = strawberry.field(
        default=None, description="The version of the netiquette shown to the user, who "
        "accepts it by joining; left out, the current one.")


@strawberry.input
class SetMemberRoleInput(GroupInput):
    user_id: relay.GlobalID
    role: GroupRole


@strawberry.input
class RemoveMemberInput(GroupInput):
    user_id: relay.GlobalID
    reason: str


@strawberry.input
class SetGroupFeaturedInput(GroupInput):
    featured: bool
    keep_moderators: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="As a group becomes featured, the moderators who keep the role (users); "
        "the others become members. Featured groups' moderators are the CSS's choice.",
    )


@strawberry.input
class SetGroupImageInput(GroupInput):
    url: str | None = strawberry.field(default=None, description="An https:// URL; or give "
                                       "`file`.")
    file: Upload | None = strawberry.field(
        default=None, description="A JPEG, PNG, WebP or GIF of at most 8 MB, sent as a "
        "multipart request: it is stored re-encoded, without its metadata, with a thumbnail.")


@strawberry.input
class SetWelcomeMessageInput(GroupInput):
    message: str = strawberry.field(description="Markdown, at most 10,000 characters.")


@strawberry.input
class AddPageInput(GroupInput):
    title: str
    body: str = strawberry.field(description="Markdown, at most 50,000 characters.")
    kind: PageKind = PageKind.PAGE
    position: int | None = strawberry.field(default=None, description="1-based; default last.")


@strawberry.input(description="Fields left out stay as they are.")
class UpdatePageInput:
    page_id: relay.GlobalID
    title: str | None = None
    body: str | None = None
    kind: PageKind | None = None


@strawberry.input
class RemovePageInput:
    page_id: relay.GlobalID


@strawberry.input
class MovePageInput:
    page_id: relay.GlobalID
    position: int = strawberry.field(description="1-based; past the end means last.")


@strawberry.input
class StartDiscussionInput(GroupInput):
    title: str = strawberry.field(description="3 to 200 characters.")
    body: str = strawberry.field(description="The first post: Markdown, 1 to 20,000 characters.")


@strawberry.input
class AddPostInput:
    discussion_id: relay.GlobalID
    body: str = strawberry.field(description="Markdown, 1 to 20,000 characters.")
    reply_to_id: relay.GlobalID | None = None
    client_mutation_id: str | None = strawberry.field(
        default=None,
        description="Retries with the same key return the same post instead of a new one.",
    )
    attachments: list[Upload] | None = strawberry.field(
        default=None, description="Up to 5 files, sent as a multipart request: worksheets "
        "(PDF, Word, Excel, PowerPoint, OpenDocument; 16 MB each) and images (8 MB each, "
        "re-encoded without their metadata).")


@strawberry.input
class EditPostInput:
    post_id: relay.GlobalID
    body: str


@strawberry.input
class PostInput:
    post_id: relay.GlobalID


@strawberry.input
class DeletePostInput(PostInput):
    pass


@strawberry.input
class HidePostInput(PostInput):
    reason: str


@strawberry.input
class RestorePostInput(PostInput):
    reason: str


@strawberry.input
class LockDiscussionInput:
    discussion_id: relay.GlobalID
    locked: bool = strawberry.field(default=True, description="false unlocks.")
    reason: str | None = None


@strawberry.input
class PinDiscussionInput:
    discussion_id: relay.GlobalID
    pinned: bool = strawberry.field(default=True, description="false unpins.")


@strawberry.input
class ReportPostInput(PostInput):
    reason: ReportReason
    note: str | None = None


@strawberry.input
class ResolveReportInput:
    report_id: relay.GlobalID
    action: ReportAction
    note: str | None = None


@strawberry.input
class ExemptFromInactivityInput(GroupInput):
    until: datetime
    reason: str


@strawberry.input
class EndInactivityExemptionInput(GroupInput):
    reason: str


@strawberry.input
class AssignAdvisorInput(GroupInput):
    advisor_id: relay.GlobalID | None = strawberry.field(
        description="A user of the Central Support Service; null: the group has no advisor."
    )


@strawberry.input
class ProposeForFeaturingInput(GroupInput):
    reason: str = strawberry.field(
        description="Why: its topic, its number of members or its activity."
    )


@strawberry.input
class DecideFeaturingCandidateInput:
    candidate_id: relay.GlobalID
    accept: bool = strawberry.field(description="true features the group; false declines.")
    note: str | None = None
    keep_moderators: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="On accepting, as with setGroupFeatured: the moderators who keep the role.",
    )


@strawberry.input
class SetNetiquetteInput:
    text: str = strawberry.field(description="Markdown, 1 to 50,000 characters.")


@strawberry.input
class AcceptNetiquetteInput:
    version: int = strawberry.field(description="The version shown to the user: the current.")


@strawberry.input
class FileReportInput:
    target_id: relay.GlobalID = strawberry.field(
        description="A post, discussion, page or group the caller may see."
    )
    reason: ReportReason
    note: str | None = None


@strawberry.input
class MarkNotificationsReadInput:
    up_to: str | None = strawberry.field(
        default=None, description="A cursor of the notifications list: it and all older.")
    ids: list[strawberry.ID] | None = None


@strawberry.input
class FollowDiscussionInput:
    discussion_id: relay.GlobalID


@strawberry.input
class MarkDiscussionReadInput:
    discussion_id: relay.GlobalID
    up_to: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The last post read (a Post ID of this discussion); its latest if omitted.",
    )


@strawberry.input
class SetNotifyLevelInput(GroupInput):
    level: NotifyLevel


def uploaded(file: object, field: str) -> Uploaded | None:
    """A file of a multipart request, as Starlette parsed it; anything else given for an
    `Upload` (a string in a JSON request, say) is refused."""
    if file is None:
        return None
    if not isinstance(file, UploadFile):
        raise ValidationFailed(field, f"send {field} as a file of a multipart request")
    return file


def uploaded_all(files: list[Upload] | None, field: str) -> list[Uploaded]:
    return [found for index, file in enumerate(files or [])
            if (found := uploaded(file, f"{field}.{index}")) is not None]
