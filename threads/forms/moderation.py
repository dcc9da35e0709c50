"""Forms of the moderation views. They check the shape of the input; the rules (who may,
what state the target must be in) are checked again by threads.services.moderation,
whose ValidationErrors the views add to these forms."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from threads.models import Report, Role, Tag
from threads.services.moderation import NOTE_MAX, REASON_MAX
from threads.services.tags import TAG_DESCRIPTION_MAX, TAG_NAME_MAX


def _reason_field(
    *, required: bool = False, label: str = "Reason", help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX, "autocomplete": "off"}),
        error_messages={"required": "Give a reason; it is shown in the public log."},
    )


class TagChoiceField(forms.ModelChoiceField):
    """Live tags, grouped by kind in the <select>."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Tag.objects.filter(retired=False, merged_into__isnull=True))
        kwargs.setdefault("empty_label", "Choose a tag…")
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Tag) -> str:
        return obj.name

    def grouped_choices(self, tags: list[Tag]) -> list:
        groups = []
        for kind, label in Tag.Kind.choices:
            options = [(t.pk, t.name) for t in tags if t.kind == kind]
            if options:
                groups.append((label, options))
        return [("", self.empty_label), *groups]


def live_tag_choices(field: TagChoiceField) -> None:
    """Fill a TagChoiceField's <select> with optgroups, from one query."""
    field.widget.choices = field.grouped_choices(list(field.queryset.order_by("kind", "name")))


class TagPostForm(forms.Form):
    tag = TagChoiceField()
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="Note (optional)",
        widget=forms.TextInput(attrs={"maxlength": NOTE_MAX, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, tags: list[Tag] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tag"]
        if tags is None:
            live_tag_choices(field)
        else:  # a page of panels renders one form per post from one list of tags
            field.widget.choices = field.grouped_choices(tags)


class UntagPostForm(forms.Form):
    # Any tag the post carries may be taken off, retired ones included.
    tag = forms.ModelChoiceField(queryset=Tag.objects.all())
    reason = _reason_field()


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="What this reply does")
    reason = _reason_field()


class RemovePostForm(forms.Form):
    reason = _reason_field(required=True, help_text="Readers see it in place of the post.")


class ReasonForm(forms.Form):
    """Restore, approve, lock, unlock, unban, retire: an optional reason (the admin's
    actions use it too)."""

    reason = _reason_field()


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Report.Kind.choices,
        initial=Report.Kind.REPORT,
        widget=forms.RadioSelect,
        label="This is a",
    )
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == Report.Kind.REPORT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say what is wrong with the post.")
        return cleaned


class ResolveReportsForm(forms.Form):
    resolution = forms.ChoiceField(
        choices=Report.Resolution.choices, widget=forms.RadioSelect, label="Resolve by"
    )
    tag = TagChoiceField(required=False, label="Tag (when resolving by tagging)")
    reason = _reason_field(required=True)

    def __init__(self, *args: Any, tags: list[Tag] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tag"]
        if tags is None:
            live_tag_choices(field)
        else:  # the queue renders one form per post from one list of tags
            field.widget.choices = field.grouped_choices(tags)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("resolution") == Report.Resolution.TAGGED and not cleaned.get("tag"):
            self.add_error("tag", "Choose the tag to put on the post.")
        return cleaned


class BanForm(forms.Form):
    DURATIONS = [
        ("1", "1 day"),
        ("3", "3 days"),
        ("7", "1 week"),
        ("30", "30 days"),
        ("365", "1 year"),
        ("permanent", "Permanently"),
        ("until", "Until the date below"),
    ]

    duration = forms.ChoiceField(choices=DURATIONS, initial="7", label="Ban")
    until = forms.DateField(
        required=False,
        label="Until (date, UTC)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = _reason_field(required=True, help_text="The user sees this reason.")

    def clean(self) -> dict[str, Any]:
        """What services.moderation.ban_user takes: the reason, and `until`, the end of the
        ban as an aware datetime (None for a permanent ban) made from the chosen duration."""
        cleaned = super().clean()
        duration = cleaned.pop("duration", None)
        if duration == "until":
            day = cleaned.get("until")
            if day is None:
                self.add_error("until", "Give the date the ban ends.")
            elif day <= timezone.now().date():
                self.add_error("until", "The date must be in the future.")
            else:
                cleaned["until"] = datetime.combine(day, time.min, tzinfo=UTC)
        elif duration == "permanent":
            cleaned["until"] = None
        elif duration is not None:
            cleaned["until"] = timezone.now() + timedelta(days=int(duration))
        return cleaned


class TagCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=Tag.Kind.choices)
    name = forms.CharField(max_length=TAG_NAME_MAX)
    description = forms.CharField(required=False, max_length=TAG_DESCRIPTION_MAX)


class TagRenameForm(forms.Form):
    name = forms.CharField(max_length=TAG_NAME_MAX)
    description = forms.CharField(required=False, max_length=TAG_DESCRIPTION_MAX)
    reason = _reason_field()


class TagMergeForm(forms.Form):
    target = TagChoiceField(label="Merge into", empty_label="Choose the tag to keep…")
    reason = _reason_field()

    def __init__(
        self, *args: Any, source: Tag, tags: list[Tag] | None = None, **kwargs: Any
    ) -> None:
        self.source = source
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        if tags is None:
            live_tag_choices(field)
        else:
            field.widget.choices = field.grouped_choices(tags)

    def clean_target(self) -> Tag:
        target = self.cleaned_data["target"]
        if target.pk == self.source.pk:
            raise forms.ValidationError("A tag cannot be merged into itself.")
        return target
