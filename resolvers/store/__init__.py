"""Every MongoDB query, one module per collection, gathered in one `Store`."""

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from resolvers.store.candidates import CandidateStore
from resolvers.store.discussions import DiscussionStore
from resolvers.store.files import FileStore
from resolvers.store.follows import FollowStore
from resolvers.store.groups import GroupStore
from resolvers.store.invitations import InvitationStore
from resolvers.store.memberships import MembershipStore
from resolvers.store.moderation_log import ModerationLogStore
from resolvers.store.netiquette import NetiquetteStore
from resolvers.store.notifications import NotificationStore
from resolvers.store.outbox import HoldsEvents, Outbox
from resolvers.store.pages import PageStore
from resolvers.store.positions import PositionStore
from resolvers.store.posts import PostStore
from resolvers.store.rate_limits import RateLimitStore
from resolvers.store.reads import ReadStore
from resolvers.store.reports import ReportStore
from resolvers.store.search import SearchStore
from resolvers.store.search_texts import TextSearchStore
from resolvers.store.users import UserStore
from subscriptions.log import EventLog


class Store:
    """The collections a request may touch; built once per process from one database."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], *, text_search: bool = False) -> None:
        self.db = db
        self.candidates = CandidateStore(db["featuring_candidates"])
        self.discussions = DiscussionStore(db["discussions"])
        self.files = FileStore(db)
        self.follows = FollowStore(db["follows"])
        self.groups = GroupStore(db["groups"])
        self.invitations = InvitationStore(db["invitations"])
        self.memberships = MembershipStore(db["memberships"])
        self.moderation_log = ModerationLogStore(db["moderation_log"])
        self.netiquette = NetiquetteStore(db["netiquette"])
        self.notifications = NotificationStore(db)
        self.pages = PageStore(db["pages"])
        self.positions = PositionStore(db["positions"])
        self.posts = PostStore(db["posts"])
        self.rate_limits = RateLimitStore(db["rate_limits"])
        self.reads = ReadStore(db)
        self.reports = ReportStore(db["reports"])
        # Search's index: Agora's own, or MongoDB's `$text` (APP_SEARCH_BACKEND).
        self.search: SearchStore | TextSearchStore = (
            TextSearchStore(db["search_texts"]) if text_search
            else SearchStore(db["search_entries"]))
        self.users = UserStore(db["users"])
        self.events = EventLog(db, sources=[
            part.source for part in vars(self).values() if isinstance(part, HoldsEvents)])
        # Counters moved by a writer that died are made exact again when its events are
        # recovered.
        for holding_posts in (self.discussions, self.posts):
            self.events.on_stranded(holding_posts.source, self._recount_posts)
        for holding_members in (self.groups, self.memberships):
            self.events.on_stranded(holding_members.source, self._recount_members)

    def outbox(self) -> Outbox:
        """A use case's outbox: what its writes leave for the event log, committed as its
        last step (`resolvers.store.outbox`)."""
        return Outbox(self.events)

    async def _recount_posts(self, doc: dict[str, Any]) -> None:
        discussion_id = doc.get("discussion_id") or str(doc["_id"])
        await self.discussions.set_post_counts(
            discussion_id=discussion_id,
            posts=await self.posts.count(discussion_id=discussion_id),
            published=await self.posts.count_published(discussion_id=discussion_id),
        )
        # Recovery reads a stranded discussion or post with its `group_id`.
        if group_id := doc.get("group_id"):
            await self.groups.set_published_posts(
                group_id=group_id, count=await self.discussions.published_in(group_id=group_id))

    async def _recount_members(self, doc: dict[str, Any]) -> None:
        group_id = doc.get("group_id") or str(doc["_id"])
        await self.groups.set_member_count(
            group_id=group_id, count=await self.memberships.count(group_id=group_id)
        )

    async def ensure_indexes(self) -> None:
        """Create every index; running it again changes nothing."""
        for part in (
            self.candidates, self.discussions, self.events, self.files, self.follows, self.groups,
            self.invitations, self.memberships, self.moderation_log, self.netiquette,
            self.notifications, self.pages, self.posts, self.rate_limits, self.reads,
            self.reports, self.search, self.users,
        ):
            await part.ensure_indexes()

    async def ping(self) -> None:
        await self.db.command("ping")
