"""The domain's enums, registered with Strawberry under their own names, once, here: types
and inputs then annotate with the domain's enums themselves."""

import strawberry

from resolvers.domain.actors import Role
from resolvers.domain.content import PageKind, ReadinessItem
from resolvers.domain.events import EventKind
from resolvers.domain.files import FileProblem
from resolvers.domain.groups import GroupOrder, GroupStatus, Participation
from resolvers.domain.inactivity import InactivityRule
from resolvers.domain.membership import GroupRole, InvitationStatus
from resolvers.domain.notifications import NotificationKind, NotifyLevel
from resolvers.domain.oversight import FeaturingStatus
from resolvers.domain.reports import ReportAction, ReportReason, ReportStatus, ReportTarget
from resolvers.domain.search import SearchKind

ENUMS = (EventKind, FeaturingStatus, FileProblem, GroupOrder, GroupRole, GroupStatus,
         InactivityRule, InvitationStatus, NotificationKind, NotifyLevel, PageKind,
         Participation, ReadinessItem, ReportAction, ReportReason, ReportStatus, ReportTarget,
         Role, SearchKind)
for enum in ENUMS:
    strawberry.enum(enum)
