"""Crux's URLs, one section per area. Each section's views live in the module it names."""

from django.urls import path

from threads.views import accounts, api, lists, moderation, thread  # noqa: F401 - sections below

urlpatterns = [
    # --- Lists, search, profiles, feeds (threads/views/lists.py) ---------------------------
    path("", lists.home, name="home"),
    path("t/new/", lists.new_thread, name="new_thread"),
    path("search/", lists.search, name="search"),
    path("u/<str:username>/", lists.profile, name="profile"),
    path("feeds/threads/", lists.threads_feed, name="feed_threads"),
    path("t/<int:pk>/feed/", lists.thread_feed, name="feed_thread"),
    # --- Accounts (threads/views/accounts.py) ----------------------------------------------
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", accounts.logout, name="logout"),
    path("accounts/password_change/", accounts.password_change, name="password_change"),
    path(
        "accounts/password_change/done/",
        accounts.password_change_done,
        name="password_change_done",
    ),
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path(
        "accounts/password_reset/done/", accounts.password_reset_done, name="password_reset_done"
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", accounts.password_reset_complete, name="password_reset_complete"
    ),
    # --- Thread page, posts, replies, votes (threads/views/thread.py) ----------------------
    # --- Read API and exports (threads/views/api.py) ---------------------------------------
    path("api/threads.json", api.threads_json, name="api_threads"),
    path("api/threads/<str:pk>.json", api.thread_json, name="api_thread"),
    # --- Moderation, tags, public log (threads/views/moderation.py) ------------------------
]
