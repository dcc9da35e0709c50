"""The latest analysis of a thread: its disagreement map, summaries and panel."""

from __future__ import annotations

from django.db import models

from threads.models.debate import Thread


class ThreadAnalysis(models.Model):
    """The latest disagreement map and summaries of a thread, and how they were made."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    thread = models.OneToOneField(Thread, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # The Thread.data_version the stored map was computed from (-1: never computed).
    watermark = models.BigIntegerField(default=-1)
    algorithm = models.CharField(max_length=40, blank=True)
    map = models.JSONField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)
    # What the thread page's panel shows, prepared by threads/panel.py at analysis time
    # (small, so pages load it instead of the whole map).
    panel = models.JSONField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    vote_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    # Poison runs (threads/services/analysis.py): how many runs of `attempts_version`
    # started; past CRUX_ANALYSIS_MAX_ATTEMPTS the run is marked failed and the sweep
    # leaves it alone until the thread changes (data_version moves past failed_version).
    attempts = models.PositiveSmallIntegerField(default=0)
    attempts_version = models.BigIntegerField(default=-1)
    failed_version = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "thread analyses"

    def __str__(self) -> str:
        return f"Analysis of thread {self.thread_id} ({self.status})"
