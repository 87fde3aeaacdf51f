"""The digest: what is new in the caller's groups since a time, in one request."""

from datetime import datetime
from typing import Self

import strawberry

from resolvers import digest
from schema.declared import Audience, declare
from schema.types.common import Connection
from schema.types.discussion import Discussion, Post
from schema.types.group import Group
from schema.types.membership import Membership
from schema.types.notification import Notification


@strawberry.type(description="Discussions started since then: how many, and the newest few.")
class DiscussionNews:
    count: int
    newest: list[Discussion]


@strawberry.type(description="Posts written since then, neither hidden nor deleted: how many, "
                 "and the newest few.")
class PostNews:
    count: int
    newest: list[Post]


@strawberry.type(description="Members who joined since then: how many, and the newest few.")
class MemberNews:
    count: int
    newest: list[Membership]


@strawberry.type(description="Your notifications since then: how many, and the newest few.")
class NotificationNews:
    count: int
    newest: list[Notification]


@strawberry.type(description="What is new in one of your groups.")
class GroupNews:
    group: Group = strawberry.field(metadata=declare(Audience.STANDING))
    discussions: DiscussionNews = strawberry.field(metadata=declare(Audience.VIEWER))
    posts: PostNews = strawberry.field(metadata=declare(Audience.VIEWER))
    members: MemberNews = strawberry.field(metadata=declare(Audience.VIEWER))

    @classmethod
    def of(cls, news: digest.GroupNews) -> Self:
        return cls(
            group=Group.from_doc(news.group),
            discussions=DiscussionNews(count=news.discussions.count,
                                       newest=[Discussion.from_doc(doc)
                                               for doc in news.discussions.newest]),
            posts=PostNews(count=news.posts.count,
                           newest=[Post.from_doc(doc) for doc in news.posts.newest]),
            members=MemberNews(count=news.members.count,
                               newest=[Membership.from_doc(doc) for doc in news.members.newest]),
        )


@strawberry.type(description="What happened since a time, for a client coming back: in a page "
                 "of your groups, and in your notifications.")
class Digest:
    since: datetime = strawberry.field(description="From when it counts: the time asked for, "
                                       "or 30 days back if that was further.")
    groups: Connection[GroupNews] = strawberry.field(
        description="Your groups, each with what is new in it (nothing, too).",
        metadata=declare(Audience.VIEWER))
    notifications: NotificationNews = strawberry.field(metadata=declare(Audience.VIEWER))

    @classmethod
    def of(cls, found: digest.Digest) -> Self:
        return cls(
            since=found.since,
            groups=Connection.of(found.groups, GroupNews.of),
            notifications=NotificationNews(
                count=found.notifications.count,
                newest=[Notification.from_shown(item) for item in found.notifications.newest]),
        )
