"""Session authentication that loads the user with their standing (moderator or not,
active ban) in its one query; see threads/queries/accounts.py."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from threads.models import User
from threads.queries.accounts import user_with_standing


class StandingBackend(ModelBackend):
    def get_user(self, user_id: object) -> User | None:
        user = user_with_standing(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
