"""Crux's data, one module per kind of thing:

- accounts: User, Ban, RateCounter (the rate limits' fallback when Redis cannot answer)
- debate: Thread, Post, Revision, Vote, Tag, PostTag (and Role, PATH_SEGMENT)
- moderation: Report, ModAction (the append-only public log, AppendOnlyError)
- stances: Credence, Reaction, QueuePass, RatingQueue
- notifications: Notification, Watch, ThreadVisit, Draft, NotificationSettings
- analysis: ThreadAnalysis

Everything is imported here, so `from threads.models import Post` is the way to reach a
model; the app label ("threads") and the table names do not depend on the module.
"""

from threads.models.accounts import Ban, RateCounter, User
from threads.models.analysis import ThreadAnalysis
from threads.models.debate import PATH_SEGMENT, Post, PostTag, Revision, Role, Tag, Thread, Vote
from threads.models.moderation import AppendOnlyError, ModAction, ModActionQuerySet, Report
from threads.models.notifications import (
    Draft,
    Notification,
    NotificationSettings,
    ThreadVisit,
    Watch,
)
from threads.models.stances import Credence, QueuePass, RatingQueue, Reaction

__all__ = [
    "PATH_SEGMENT",
    "AppendOnlyError",
    "Ban",
    "Credence",
    "Draft",
    "ModAction",
    "ModActionQuerySet",
    "Notification",
    "NotificationSettings",
    "Post",
    "PostTag",
    "QueuePass",
    "RateCounter",
    "RatingQueue",
    "Reaction",
    "Report",
    "Revision",
    "Role",
    "Tag",
    "Thread",
    "ThreadAnalysis",
    "ThreadVisit",
    "User",
    "Vote",
    "Watch",
]
