"""Who is looking at a page: what every read of posts asks of its reader."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats

from threads.models import User


@dataclass(frozen=True)
class Viewer:
    """The reader of a page, as far as what they may see and do differs."""

    user_id: int | None = None
    is_moderator: bool = False
    # "until 5 Jan 2027 12:00 UTC: reason" (or "permanently: …") for a banned member,
    # who reads like a member but gets no reply, vote or report controls.
    ban: str = ""

    @classmethod
    def of(cls, user: User) -> Viewer:
        if not user.is_authenticated:
            return cls()
        if user.is_moderator:
            return cls(user_id=user.pk, is_moderator=True)
        ban = user.active_ban()
        if ban is None:
            return cls(user_id=user.pk)
        until = (
            f"until {formats.date_format(ban.until, 'DATETIME_FORMAT')} UTC"
            if ban.until
            else "permanently"
        )
        return cls(user_id=user.pk, ban=f"{until}: {ban.reason}")

    @property
    def banned(self) -> bool:
        return bool(self.ban)

    @property
    def audience(self) -> str:
        """The kind of viewer, as far as the controls on a post differ."""
        if self.is_moderator:
            return "mod"
        if self.banned:
            return "banned"
        return "member" if self.user_id is not None else "reader"

    def neutral(self) -> Viewer:
        """A viewer of the same kind who has taken part in nothing: what the shared,
        cached tree of a thread is rendered for (no user has id 0)."""
        return Viewer(user_id=0, is_moderator=self.is_moderator)
