"""Account forms: signing up. Logging in, password change and reset use Django's own forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm

from threads.models import User

# The importers give the placeholder authors of imported debates these prefixes
# (threads/importers/: "imported-<key>", "kialo-import"); a person signing up with one
# could pass for the author of an imported argument.
RESERVED_USERNAME_PREFIXES = ("imported-", "kialo-")
USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 30


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False,
        help_text="Optional. Only used to reset your password; never shown.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if settings.CRUX_EMAIL_VERIFICATION:
            email = self.fields["email"]
            email.required = True
            email.help_text = "We send a link to confirm it; never shown."
        username = self.fields["username"]
        username.max_length = USERNAME_MAX_LENGTH
        username.widget.attrs["maxlength"] = USERNAME_MAX_LENGTH
        username.help_text = (
            f"{USERNAME_MIN_LENGTH}–{USERNAME_MAX_LENGTH} characters: letters, digits "
            "and @ . + - _ only."
        )

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username", "")
        if len(username) < USERNAME_MIN_LENGTH:
            raise forms.ValidationError(
                f"Usernames have at least {USERNAME_MIN_LENGTH} characters.", code="too_short"
            )
        if username.lower().startswith(RESERVED_USERNAME_PREFIXES):
            raise forms.ValidationError(
                "Usernames starting with “imported-” or “kialo-” are reserved for the "
                "authors of imported debates.",
                code="reserved",
            )
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                "That username is taken (usernames are compared ignoring case).",
                code="unique",
            )
        return username
