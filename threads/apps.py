from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "threads"
    verbose_name = "Debate threads"
    default_auto_field = "django.db.models.BigAutoField"
