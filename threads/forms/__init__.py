"""Forms, one module per area: `posts` (reply, edit, vote, preview), `threads` (a new
thread), `accounts` (sign-up), `moderation` (the moderation panel, reports, bans, tags;
its `ReasonForm` also serves the admin's actions), `importing` (the debate upload and
its preview).

Forms give input its shape and read their limits from the model fields (through the
services' constants); the services decide what is allowed and the views put the
services' ValidationErrors on the forms (threads.views.responses.add_service_errors).
"""
