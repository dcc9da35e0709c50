"""The form of a user's notification and mail settings."""

from __future__ import annotations

from django import forms

from threads.models import NotificationSettings, User


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_mentions", "email_replies", "digest"]
        labels = {
            "email_mentions": "Mail me when someone mentions me",
            "email_replies": "Mail me when someone replies to me, answers or quotes me",
            "digest": "Digest of unread notifications and watched threads",
        }


class MuteUserForm(forms.Form):
    username = forms.CharField(max_length=150, label="Mute a user (their posts never notify you)")

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip().lstrip("@")
        user = User.objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(f"There is no user called {name!r}.")
        return user
