"""Reports on posts: their reasons, statuses and resolutions."""

from enum import StrEnum


class ReportReason(StrEnum):
    SPAM = "SPAM"
    OFFENSIVE = "OFFENSIVE"
    OFF_TOPIC = "OFF_TOPIC"
    PUPIL_PRIVACY = "PUPIL_PRIVACY"
    COMMERCIAL = "COMMERCIAL"
    COPYRIGHT = "COPYRIGHT"
    OTHER = "OTHER"


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class ReportAction(StrEnum):
    DISMISS = "DISMISS"
    HIDE_POST = "HIDE_POST"
    REMOVE_AUTHOR = "REMOVE_AUTHOR"


NOTE_MAX = 2_000
