"""Seed the argument-tag taxonomy moderators start from: topics of the AI-risk debate,
argument schemes, and quality / fallacy marks. Moderators add, rename, merge and retire
tags from there. Reversing removes only the seeded tags nobody has used or logged."""

from django.db import migrations

SEED_TAGS = [
    # (kind, slug, name, description)
    ("topic", "instrumental-convergence", "instrumental convergence",
     "Most final goals favour the same subgoals: resources, self-preservation, keeping the goal."),
    ("topic", "mesa-optimisation", "mesa-optimisation",
     "A trained model may itself be an optimiser whose objective differs from the training one."),
    ("topic", "deceptive-alignment", "deceptive alignment",
     "A model that behaves well in training because it knows it is being trained."),
    ("topic", "rlhf", "RLHF",
     "Reinforcement learning from human feedback: what it fixes and what it only hides."),
    ("topic", "predictor-vs-agent", "predictor vs agent",
     "Whether systems trained to predict become, or are easily made into, goal-directed agents."),
    ("topic", "simulators", "simulators",
     "Language models as simulators of many characters rather than agents with one goal."),
    ("topic", "power-seeking", "power-seeking",
     "Whether and why capable systems would gather power or resist being shut down."),
    ("topic", "timelines", "timelines",
     "When transformative AI arrives, and how fast the take-off is."),
    ("topic", "interpretability", "interpretability",
     "Reading what trained networks compute, and whether that can check their alignment."),
    ("scheme", "empirical-evidence", "empirical evidence",
     "Argues from observations, experiments or data."),
    ("scheme", "thought-experiment", "thought experiment",
     "Argues from an imagined scenario and what would happen in it."),
    ("scheme", "analogy", "analogy",
     "Argues from a similar case: evolution, corporations, nuclear weapons, …"),
    ("scheme", "appeal-to-authority", "appeal to authority",
     "Rests on who holds a view rather than on the reasons for it."),
    ("scheme", "definitional", "definitional",
     "Turns on what a word means (agent, goal, intelligence, …)."),
    ("scheme", "forecast", "forecast",
     "Predicts what will happen, with or without stated probabilities."),
    ("quality", "steelman", "steelman",
     "States an opposing view in its strongest form before answering it."),
    ("quality", "quality-contribution", "quality contribution",
     "An unusually careful, well-sourced or clarifying post (The Motte's AAQC)."),
    ("quality", "strawman", "strawman",
     "Answers a weaker view than the one actually held."),
    ("quality", "ad-hominem", "ad hominem",
     "Attacks the person rather than the argument."),
    ("quality", "motte-and-bailey", "motte-and-bailey",
     "Retreats to a modest claim when challenged, then advances the bold one again."),
    ("quality", "non-sequitur", "non sequitur",
     "The conclusion does not follow from what was said."),
]  # fmt: skip


def seed_tags(apps, schema_editor):
    Tag = apps.get_model("threads", "Tag")
    for kind, slug, name, description in SEED_TAGS:
        Tag.objects.get_or_create(
            slug=slug, defaults={"kind": kind, "name": name, "description": description}
        )


def unseed_tags(apps, schema_editor):
    Tag = apps.get_model("threads", "Tag")
    ModAction = apps.get_model("threads", "ModAction")
    logged = ModAction.objects.filter(tag__isnull=False).values("tag_id")
    Tag.objects.filter(
        slug__in=[slug for _, slug, _, _ in SEED_TAGS],
        post_tags__isnull=True,
        merged_tags__isnull=True,
    ).exclude(pk__in=logged).delete()


class Migration(migrations.Migration):
    dependencies = [("threads", "0003_moderators_group")]

    operations = [migrations.RunPython(seed_tags, unseed_tags)]
