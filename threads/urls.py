"""Crux's URLs, one section per area. Each section's views live in the module it names."""

from django.urls import include, path

from threads.views import (
    accounts,
    analysis,
    api,
    exports,
    importing,
    inbox,
    lists,
    moderation,
    posts,
    similar,
    stances,
    tags,
    thread,
)

# Below accounts/: signing up, the address check, logging in and out, passwords.
account_patterns = [
    path("signup/", accounts.signup, name="signup"),
    path("verify/<str:token>/", accounts.verify_email, name="verify_email"),
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout, name="logout"),
    path("password_change/", accounts.password_change, name="password_change"),
    path("password_change/done/", accounts.password_change_done, name="password_change_done"),
    path("password_reset/", accounts.password_reset, name="password_reset"),
    path("password_reset/done/", accounts.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
]

urlpatterns = [
    # --- Accounts (threads/views/accounts.py): the list above ------------------------------
    path("accounts/", include(account_patterns)),
    # --- Similar arguments while composing (threads/views/similar.py); before the thread
    # page, whose t/<pk>/<slug>/ would take t/<pk>/similar/ ------------------------------------
    path("api/threads/<int:pk>/similar.json", similar.thread_similar_json, name="api_similar"),
    path("api/threads/new/similar.json", similar.new_thread_similar_json, name="api_similar_new"),
    path("t/<int:pk>/similar/", similar.thread_similar_panel, name="similar_panel"),
    path("t/new/similar/", similar.new_thread_similar_panel, name="similar_panel_new"),
    path("moderation/posts/<int:post_id>/duplicate/", similar.mark_duplicate, name="mod_duplicate"),
    # --- Lists, search, profiles, feeds (threads/views/lists.py) ---------------------------
    path("", lists.home, name="home"),
    path("t/new/", lists.new_thread, name="new_thread"),
    path("search/", lists.search, name="search"),
    path("u/<str:username>/", lists.profile, name="profile"),
    path("feeds/threads/", lists.threads_feed, name="feed_threads"),
    path("t/<int:pk>/feed/", lists.thread_feed, name="feed_thread"),
    # --- Thread page (threads/views/thread.py); replies, votes, edits (views/posts.py) ----
    path("t/<int:pk>/", thread.thread_redirect, name="thread_redirect"),
    # Before the thread page's <slug>: "rate" is the rating queue (threads/views/stances.py).
    path("t/<int:pk>/rate/", stances.rate, name="rate"),
    # Before the slug route, which would take "watch" for a slug (inbox.py: a GET of it
    # is the page of a thread whose slug is "watch").
    path("t/<int:pk>/watch/", inbox.watch_thread, name="watch_thread"),
    path("t/<int:pk>/<slug:slug>/", thread.thread_page, name="thread"),
    path("t/<int:thread_id>/p/<int:pk>/", thread.post_page, name="post"),
    path("p/<int:pk>/reply/", posts.reply, name="reply"),
    path("p/<int:pk>/vote/", posts.vote, name="vote"),
    path("p/<int:pk>/edit/", posts.edit_post, name="edit_post"),
    path("p/<int:pk>/delete/", posts.delete_post, name="delete_post"),
    path("p/<int:pk>/history/", thread.post_history, name="post_history"),
    path("p/<int:pk>/replies/", thread.post_replies, name="post_replies"),
    path("preview/", posts.preview, name="preview"),
    # --- Read API and exports (threads/views/api.py) ---------------------------------------
    path("api/threads.json", api.threads_json, name="api_threads"),
    path("api/threads/<str:pk>.json", api.thread_json, name="api_thread"),
    # --- Whole-thread exports (threads/views/exports.py) ------------------------------------
    path("api/threads/<int:pk>/export.json", exports.export_json, name="export_json"),
    path("api/threads/<int:pk>/export.aif.json", exports.export_aif, name="export_aif"),
    path("api/threads/<int:pk>/export.argdown", exports.export_argdown, name="export_argdown"),
    # --- Disagreement map and summaries (threads/views/analysis.py) ------------------------
    path("analysis/<int:pk>/", analysis.analysis_panel, name="analysis_panel"),
    path("analysis/<int:pk>/changes/", analysis.analysis_changes, name="analysis_changes"),
    path("api/threads/<int:pk>/map.json", analysis.map_json, name="api_map"),
    path("api/threads/<int:pk>/summary.json", analysis.summary_json, name="api_summary"),
    # --- Stated stances and the rating queue (threads/views/stances.py) ---------------------
    path("p/<int:pk>/credence/", stances.credence, name="credence"),
    path("p/<int:pk>/react/", stances.react, name="react"),
    path("api/threads/<int:pk>/next.json", stances.next_json, name="api_next"),
    path("api/threads/<int:pk>/updates.json", stances.updates_json, name="api_updates"),
    path("u/<str:username>/updates/", stances.profile_updates, name="profile_updates"),
    # --- Importing debates (threads/views/importing.py) -------------------------------------
    path("moderation/import/", importing.import_debate, name="import_debate"),
    # --- Moderation, tags, public log (threads/views/moderation.py) ------------------------
    path("tags/", tags.tag_index, name="tags"),
    path("tags/<slug:slug>/", tags.tag_detail, name="tag"),
    path("moderation/log/", tags.moderation_log, name="moderation_log"),
    path("posts/<int:post_id>/report/", moderation.report_post, name="report_post"),
    path("moderation/", moderation.moderation_queue, name="moderation_queue"),
    path("moderation/posts/<int:post_id>/", moderation.moderate_post, name="mod_post"),
    path("moderation/posts/<int:post_id>/tag/", moderation.tag_post, name="mod_tag_post"),
    path("moderation/posts/<int:post_id>/untag/", moderation.untag_post, name="mod_untag_post"),
    path("moderation/posts/<int:post_id>/role/", moderation.change_role, name="mod_change_role"),
    path("moderation/posts/<int:post_id>/remove/", moderation.remove_post, name="mod_remove_post"),
    path(
        "moderation/posts/<int:post_id>/restore/", moderation.restore_post, name="mod_restore_post"
    ),
    path(
        "moderation/posts/<int:post_id>/approve/", moderation.approve_post, name="mod_approve_post"
    ),
    path(
        "moderation/posts/<int:post_id>/resolve/",
        moderation.resolve_reports,
        name="mod_resolve_reports",
    ),
    path("moderation/threads/<int:thread_id>/lock/", moderation.lock_thread, name="mod_lock"),
    path("moderation/threads/<int:thread_id>/unlock/", moderation.unlock_thread, name="mod_unlock"),
    path("moderation/users/<str:username>/", moderation.moderate_user, name="mod_user"),
    path("moderation/users/<str:username>/ban/", moderation.ban_user, name="mod_ban_user"),
    path("moderation/users/<str:username>/unban/", moderation.unban_user, name="mod_unban_user"),
    path("moderation/tags/", tags.manage_tags, name="mod_tags"),
    path("moderation/tags/new/", tags.create_tag, name="mod_tag_create"),
    path("moderation/tags/<slug:slug>/rename/", tags.rename_tag, name="mod_tag_rename"),
    path("moderation/tags/<slug:slug>/merge/", tags.merge_tag, name="mod_tag_merge"),
    path("moderation/tags/<slug:slug>/retire/", tags.retire_tag, name="mod_tag_retire"),
    # --- Inbox, watching, drafts, mail (threads/views/inbox.py) ---------------------------
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.read_one, name="notification_read"),
    path("inbox/badge/", inbox.badge, name="inbox_badge"),
    path("inbox/settings/", inbox.notification_settings, name="notification_settings"),
    path("api/notifications.json", inbox.notifications_json, name="api_notifications"),
    path("t/<int:pk>/replies/new/", inbox.new_replies, name="new_replies"),
    path("p/<int:pk>/draft/", inbox.save_reply_draft, name="save_reply_draft"),
    path("t/new/draft/", inbox.save_thread_draft, name="save_thread_draft"),
    path("unsubscribe/<str:token>/", inbox.unsubscribe, name="unsubscribe"),
]
