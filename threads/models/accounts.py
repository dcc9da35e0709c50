"""Who takes part: users, their bans, and the counters that rate-limit them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property


class User(AbstractUser):
    """A participant. `imported` marks the placeholder authors of imported debates."""

    imported = models.BooleanField(default=False)
    bio = models.TextField(blank=True, max_length=2000)
    # When the owner followed the emailed verification link (threads/views/accounts.py).
    email_verified_at = models.DateTimeField(null=True, blank=True)

    def get_absolute_url(self) -> str:
        return reverse("profile", args=[self.username])

    @cached_property
    def is_moderator(self) -> bool:
        """Holds threads.moderate (directly or through a group). Read from the standing the
        session's user load brought (threads/queries/accounts.py) or one query, remembered
        for the life of this object, i.e. the request; has_perm would make two."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        if hasattr(self, "holds_moderate"):
            return bool(self.holds_moderate)
        return (
            Permission.objects.filter(content_type__app_label="threads", codename="moderate")
            .filter(Q(user=self) | Q(group__user=self))
            .exists()
        )

    def active_ban(self) -> Ban | None:
        if hasattr(self, "ban_pk"):  # loaded with the user (threads/queries/accounts.py)
            if self.ban_pk is None:
                return None
            if not hasattr(self, "_ban_in_force"):  # its words: a query for the banned only
                self._ban_in_force = Ban.objects.filter(pk=self.ban_pk).first()
            return self._ban_in_force
        now = timezone.now()
        return (
            self.bans.filter(lifted_at__isnull=True)
            .filter(Q(until__isnull=True) | Q(until__gt=now))
            .order_by("-created")
            .first()
        )


class Ban(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True, help_text="Empty means permanent.")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Ban of {self.user} ({self.reason})"


class RateCounter(models.Model):
    """A fixed-window counter for the rate limits and the login guard, used while Redis
    cannot answer (threads/services/limits.py), so neither fails open. `key` names the
    window; rows past `expires` (a Unix time) are deleted by the analysis sweep."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField(default=0)
    expires = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"
