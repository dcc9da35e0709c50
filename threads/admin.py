"""The admin: a place to look things up and to act in bulk, never a back door.

Content (posts, threads, tags, votes, revisions) is read-only here, and every moderator
action — remove, restore, approve, lock, ban, retire, merge — goes through
threads.services.moderation, so it is validated the same way and lands in the public
log. The log itself (ModAction) can be read but not added to, changed or deleted.
Promoting and demoting moderators is a staff matter: the actions on users do it, through
the same services and the same log.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from threads.forms.moderation import BanForm, ReasonForm, RemovePostForm, TagChoiceField
from threads.models import (
    Ban,
    Credence,
    Draft,
    ModAction,
    Notification,
    NotificationSettings,
    Post,
    PostTag,
    QueuePass,
    RateCounter,
    RatingQueue,
    Reaction,
    Report,
    Revision,
    Tag,
    Thread,
    ThreadAnalysis,
    ThreadVisit,
    User,
    Vote,
    Watch,
)
from threads.services import moderation
from threads.services import tags as taxonomy
from threads.services.moderation import MODERATORS_GROUP


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable in the admin; changed only through the site and the services."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ModeratorActionsMixin:
    """Actions declared with allowed_permissions=("moderate",) need threads.moderate."""

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("threads.moderate")


# --- Actions: an intermediate page for the details, then the service for each object ----


class MergeForm(forms.Form):
    """The admin merges every selected tag into one (TagMergeForm is for one source)."""

    target = TagChoiceField(label="Merge into")
    reason = ReasonForm.base_fields["reason"]


def confirm_and_run(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    form_class: type[forms.Form],
    service: Callable[..., object],
    target: str,
) -> TemplateResponse | None:
    """Ask for the action's details (a reason, a ban's length, ...), then call
    `service(moderator=request.user, <target>=obj, **the form's data)` for each selected
    object, reporting what changed and what was refused and why."""
    form = form_class(request.POST if "confirm" in request.POST else None)
    if "confirm" in request.POST and form.is_valid():
        changed, refused = 0, []
        for obj in queryset:
            try:
                result = service(moderator=request.user, **{target: obj}, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(getattr(error, "messages", None) or [str(error)])
                refused.append(f"{obj}: {text}")
                continue
            changed += result is not False
        modeladmin.message_user(request, f"{title}: {changed} changed.", messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.WARNING)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": list(queryset),
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "moderation/admin_action.html", context)


def service_action(
    description: str,
    title: str,
    service: Callable[..., object],
    target: str,
    form_class: type[forms.Form] = ReasonForm,
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], TemplateResponse | None]:
    """An admin action (needing threads.moderate), labelled `description`: a page titled
    `title` asks for `form_class`'s details (a reason), then `service(<target>=obj, ...)` runs for
    each selected object (confirm_and_run)."""

    @admin.action(description=description, permissions=["moderate"])
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> TemplateResponse | None:
        return confirm_and_run(
            modeladmin,
            request,
            queryset,
            title=title,
            form_class=form_class,
            service=service,
            target=target,
        )

    return action


# --- Users --------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(ModeratorActionsMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "date_joined",
        "is_moderator_flag",
        "is_banned_flag",
        "is_staff",
        "imported",
    )
    list_filter = ("groups", "is_staff", "is_superuser", "is_active", "imported")
    search_fields = ("username", "email")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Crux", {"fields": ("bio", "imported")}))
    actions = ["ban_users", "unban_users", "make_moderators", "remove_moderators"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        now = timezone.now()
        return (
            super()
            .get_queryset(request)
            .annotate(
                in_moderators=Exists(
                    Group.objects.filter(user=OuterRef("pk"), name=MODERATORS_GROUP)
                ),
                banned=Exists(
                    Ban.objects.filter(user=OuterRef("pk"), lifted_at__isnull=True).filter(
                        Q(until__isnull=True) | Q(until__gt=now)
                    )
                ),
            )
        )

    @admin.display(boolean=True, description="moderator", ordering="in_moderators")
    def is_moderator_flag(self, user: User) -> bool:
        return user.in_moderators

    @admin.display(boolean=True, description="banned", ordering="banned")
    def is_banned_flag(self, user: User) -> bool:
        return user.banned

    ban_users = service_action(
        "Ban the selected users", "Ban users", moderation.ban_user, "user", BanForm
    )

    unban_users = service_action(
        "Lift the bans of the selected users", "Lift bans", moderation.unban_user, "user"
    )

    @admin.action(description="Make the selected users moderators", permissions=["change"])
    def make_moderators(self, request: HttpRequest, queryset: QuerySet) -> None:
        made = sum(moderation.grant_moderation(granted_by=request.user, user=u) for u in queryset)
        self.message_user(request, f"{made} user(s) are moderators now.")

    @admin.action(
        description="Remove the selected users from the moderators", permissions=["change"]
    )
    def remove_moderators(self, request: HttpRequest, queryset: QuerySet) -> None:
        ended = sum(moderation.revoke_moderation(revoked_by=request.user, user=u) for u in queryset)
        self.message_user(request, f"{ended} user(s) are no longer moderators.")


# --- Threads and posts --------------------------------------------------------------------


@admin.register(Thread)
class ThreadAdmin(ModeratorActionsMixin, ReadOnlyAdmin):
    list_display = ("title", "author", "created", "last_activity", "reply_count", "score", "locked")
    list_filter = ("locked", "created")
    search_fields = ("title", "author__username")
    list_select_related = ("author",)
    date_hierarchy = "created"
    actions = ["lock_threads", "unlock_threads"]

    lock_threads = service_action(
        "Lock the selected threads", "Lock threads", moderation.lock_thread, "thread"
    )

    unlock_threads = service_action(
        "Unlock the selected threads", "Unlock threads", moderation.unlock_thread, "thread"
    )


class DateSetFilter(admin.SimpleListFilter):
    """A yes/no filter on whether the date column `field` is set ("yes" means set unless
    `yes_when_set` is False); `labels` name the two answers."""

    field = ""
    yes_when_set = True
    labels = ("Yes", "No")

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", self.labels[0]), ("no", self.labels[1])]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        is_set = (self.value() == "yes") == self.yes_when_set
        return queryset.filter(**{f"{self.field}__isnull": not is_set})


class RemovedFilter(DateSetFilter):
    title = "removed by moderators"
    parameter_name = "removed"
    field = "removed_at"
    labels = ("Removed", "Not removed")


class PostTagInline(admin.TabularInline):
    model = PostTag
    fields = ("tag", "tagged_by", "note", "created")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(ModeratorActionsMixin, ReadOnlyAdmin):
    list_display = (
        "id",
        "thread",
        "author",
        "role",
        "created",
        "score",
        "removed_at",
        "held_for_approval",
        "deleted_by_author",
    )
    list_filter = (RemovedFilter, "held_for_approval", "deleted_by_author", "role", "role_inferred")
    search_fields = ("body", "author__username", "thread__title")
    list_select_related = ("thread", "author")
    date_hierarchy = "created"
    inlines = [PostTagInline]
    actions = ["remove_posts", "restore_posts", "approve_posts"]

    remove_posts = service_action(
        "Remove the selected posts", "Remove posts", moderation.remove_post, "post", RemovePostForm
    )

    restore_posts = service_action(
        "Restore the selected posts", "Restore posts", moderation.restore_post, "post"
    )

    approve_posts = service_action(
        "Approve the selected held posts", "Approve posts", moderation.approve_post, "post"
    )


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("post", "number", "editor", "created", "replaced")
    search_fields = ("body", "editor__username")
    list_select_related = ("post", "editor")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("user", "post", "axis", "value", "updated")
    list_filter = ("axis", "value")
    search_fields = ("user__username",)
    list_select_related = ("user", "post")


# --- Tags ---------------------------------------------------------------------------------


@admin.register(Tag)
class TagAdmin(ModeratorActionsMixin, ReadOnlyAdmin):
    """Creating and renaming tags is on the moderators' tag page (/moderation/tags/)."""

    list_display = ("name", "kind", "slug", "retired", "merged_into", "created")
    list_filter = ("kind", "retired")
    search_fields = ("name", "slug", "description")
    list_select_related = ("merged_into",)
    actions = ["retire_tags", "merge_tags"]

    retire_tags = service_action(
        "Retire the selected tags", "Retire tags", taxonomy.retire_tag, "tag"
    )

    merge_tags = service_action(
        "Merge the selected tags into another",
        "Merge tags",
        taxonomy.merge_tag,
        "source",
        MergeForm,
    )


@admin.register(PostTag)
class PostTagAdmin(ReadOnlyAdmin):
    list_display = ("tag", "post", "tagged_by", "created", "note")
    list_filter = ("tag__kind", "tag")
    search_fields = ("tag__name", "note", "tagged_by__username")
    list_select_related = ("tag", "post", "tagged_by")


# --- Reports, bans, the log ---------------------------------------------------------------


class OpenFilter(DateSetFilter):
    title = "state"
    parameter_name = "open"
    field = "resolved_at"
    yes_when_set = False
    labels = ("Open", "Resolved")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Reports are resolved in the moderation queue (/moderation/)."""

    list_display = ("post", "reporter", "kind", "reason", "created", "resolution", "resolved_by")
    list_filter = (OpenFilter, "kind", "resolution")
    search_fields = ("reason", "reporter__username", "resolution_reason")
    list_select_related = ("post", "reporter", "resolved_by")
    date_hierarchy = "created"


@admin.register(Ban)
class BanAdmin(ReadOnlyAdmin):
    """Bans are made and lifted with the actions on users (or /moderation/users/<name>/)."""

    list_display = ("user", "moderator", "reason", "created", "until", "lifted_at")
    list_filter = ("created",)
    search_fields = ("user__username", "reason")
    list_select_related = ("user", "moderator")


@admin.register(ModAction)
class ModActionAdmin(ReadOnlyAdmin):
    """The public moderation log: read-only here as everywhere."""

    list_display = ("created", "moderator", "action", "target", "reason")
    list_filter = ("action", "created")
    search_fields = ("reason", "moderator__username", "user__username", "tag__name")
    list_select_related = ("moderator", "post", "thread", "user", "tag")
    date_hierarchy = "created"

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    @admin.display(description="target")
    def target(self, entry: ModAction) -> str:
        if entry.post_id:
            return f"post {entry.post_id} in “{entry.thread}”"
        return str(entry.thread or entry.user or entry.tag or "")


@admin.register(ThreadAnalysis)
class ThreadAnalysisAdmin(ReadOnlyAdmin):
    list_display = (
        "thread", "status", "watermark", "algorithm", "computed_at", "error_at", "attempts",
        "failed_version",
    )  # fmt: skip
    list_filter = ("status",)
    search_fields = ("thread__title",)
    list_select_related = ("thread",)
    exclude = ("map", "summary")


@admin.register(ThreadVisit)
class ThreadVisitAdmin(ReadOnlyAdmin):
    list_display = ("user", "thread", "seen_at", "watermark")
    list_select_related = ("user", "thread")
    exclude = ("map_seen",)


# --- Stated stances (issue 13): read-only, written only by threads.services.stances ---------


@admin.register(Credence)
class CredenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "post", "value", "previous", "because", "at")
    search_fields = ("user__username",)
    list_select_related = ("user", "post", "because")


@admin.register(Reaction)
class ReactionAdmin(ReadOnlyAdmin):
    list_display = ("user", "post", "kind", "quote", "at")
    list_filter = ("kind",)
    search_fields = ("user__username", "quote")
    list_select_related = ("user", "post")


@admin.register(QueuePass)
class QueuePassAdmin(ReadOnlyAdmin):
    list_display = ("user", "post", "thread", "at")
    search_fields = ("user__username",)
    list_select_related = ("user", "post", "thread")


@admin.register(RatingQueue)
class RatingQueueAdmin(ReadOnlyAdmin):
    list_display = ("thread", "watermark", "computed_at")
    search_fields = ("thread__title",)
    list_select_related = ("thread",)
    exclude = ("posts",)


@admin.register(RateCounter)
class RateCounterAdmin(ReadOnlyAdmin):
    """The rate limits' database fallback (threads/services/limits.py), to look at only."""

    list_display = ("key", "count", "expires")
    search_fields = ("key",)


# --- Notifications, watching, drafts, mail settings (read-only: users change them) ---------


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("at", "recipient", "kind", "actor", "thread", "read", "emailed")
    list_filter = ("kind", "read", "emailed", "digested")
    search_fields = ("recipient__username", "actor__username", "detail")
    list_select_related = ("recipient", "actor", "thread")


@admin.register(Watch)
class WatchAdmin(ReadOnlyAdmin):
    list_display = ("user", "thread", "level", "updated")
    list_filter = ("level",)
    search_fields = ("user__username", "thread__title")
    list_select_related = ("user", "thread")


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    list_display = ("user", "parent", "title", "updated")
    search_fields = ("user__username", "title")
    list_select_related = ("user",)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ReadOnlyAdmin):
    list_display = ("user", "email_mentions", "email_replies", "digest", "last_digest_at")
    list_filter = ("digest",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
