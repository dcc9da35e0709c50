"""Crux's URLs, one section per area. Each section's views live in the module it names."""

from django.urls import path

from threads.views import accounts, api, lists, moderation, thread  # noqa: F401 - sections below

urlpatterns = [
    # --- Lists, search, profiles, feeds (threads/views/lists.py) ---------------------------
    path("", lists.home, name="home"),
    # --- Accounts (threads/views/accounts.py) ----------------------------------------------
    # --- Thread page, posts, replies, votes (threads/views/thread.py) ----------------------
    # --- Read API and exports (threads/views/api.py) ---------------------------------------
    # --- Moderation, tags, public log (threads/views/moderation.py) ------------------------
]
