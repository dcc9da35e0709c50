"""Crux's schema as 0001–0015 left it, in one migration (squashed by hand: the old ones'
closures and data steps cannot be serialised by squashmigrations).

`replaces` lets a database already at 0015 carry on: Django counts this migration applied
when every replaced one is recorded, and on a fresh database it records all of them. The
replaced files are gone; later migrations may still name 0015 as their dependency.

Besides the tables, a fresh database gets what the old data and SQL steps made:
- the moderation log is append-only in PostgreSQL too (a trigger refuses UPDATE and DELETE
  on threads_modaction; TRUNCATE, which the test runner uses, is left alone) — was 0002;
- the `moderators` group with the one permission every moderator view checks — was 0003;
- the argument-tag taxonomy moderators start from — was 0004;
- GIN indexes for full-text search (threads/search.py), exactly what
  SearchVector(field, config="english") compiles to; PostgreSQL only — was 0005.
0006's body_text fill and 0007's panel recompute mark acted on existing rows: a fresh
database has none, so they are not repeated here.
"""

import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION crux_modaction_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'threads_modaction is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER modaction_append_only
    BEFORE UPDATE OR DELETE ON threads_modaction
    FOR EACH ROW EXECUTE FUNCTION crux_modaction_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS modaction_append_only ON threads_modaction;
DROP FUNCTION IF EXISTS crux_modaction_append_only();
"""

SEARCH_INDEXES = [
    ("post_body_search_idx", "threads_post", "body"),
    ("thread_title_search_idx", "threads_thread", "title"),
]

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


def add_append_only_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def drop_append_only_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY, params=None)


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; this group needs one now. The
    # historical app config has no models module, which create_permissions checks for.
    app_config = apps.get_app_config("threads")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="moderators")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="threads", codename="moderate")
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="moderators").delete()


def seed_tags(apps, schema_editor):
    Tag = apps.get_model("threads", "Tag")
    for kind, slug, name, description in SEED_TAGS:
        Tag.objects.get_or_create(
            slug=slug, defaults={"kind": kind, "name": name, "description": description}
        )


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in SEARCH_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
            f"(to_tsvector('english'::regconfig, COALESCE({column}, ''::text)))"
        )


class Migration(migrations.Migration):

    replaces = [
        ("threads", "0001_initial_debate_schema"),
        ("threads", "0002_modaction_append_only_guard"),
        ("threads", "0003_moderators_group"),
        ("threads", "0004_seed_argument_tags"),
        ("threads", "0005_search_indexes"),
        ("threads", "0006_post_body_text"),
        ("threads", "0007_threadanalysis_panel"),
        ("threads", "0008_post_skeleton_index"),
        ("threads", "0009_post_is_placeholder"),
        ("threads", "0010_modaction_moderator_grants"),
        ("threads", "0011_post_created_unknown"),
        ("threads", "0012_credences_reactions_rating_queue"),
        ("threads", "0013_ratecounter_email_verified_analysis_attempts"),
        ("threads", "0014_duplicates_lock_reason_quote_version"),
        ("threads", "0015_notifications_watching_drafts"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name='RateCounter',
            fields=[
                ('key', models.CharField(max_length=200, primary_key=True, serialize=False)),
                ('count', models.IntegerField(default=0)),
                ('expires', models.FloatField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, unique=True, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                ('imported', models.BooleanField(default=False)),
                ('bio', models.TextField(blank=True, max_length=2000)),
                ('email_verified_at', models.DateTimeField(blank=True, null=True)),
                ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
            ],
            options={
                'verbose_name': 'user',
                'verbose_name_plural': 'users',
                'abstract': False,
            },
            managers=[
                ('objects', django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name='Ban',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=500)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('until', models.DateTimeField(blank=True, help_text='Empty means permanent.', null=True)),
                ('lifted_at', models.DateTimeField(blank=True, null=True)),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('moderator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bans', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='NotificationSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_replies', models.BooleanField(default=False, help_text='Mail me at once when someone replies to me or answers me.')),
                ('email_mentions', models.BooleanField(default=True, help_text='Mail me at once when someone mentions me.')),
                ('digest', models.CharField(choices=[('daily', 'Daily'), ('weekly', 'Weekly'), ('off', 'Off')], default='weekly', max_length=6)),
                ('last_digest_at', models.DateTimeField(blank=True, null=True)),
                ('muted_users', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_settings', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'notification settings',
            },
        ),
        migrations.CreateModel(
            name='Post',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('claim', 'claims'), ('rebuttal', 'rebuts'), ('support', 'supports'), ('question', 'asks'), ('answer', 'answers'), ('concession', 'concedes'), ('comment', 'comments')], default='comment', max_length=12)),
                ('role_inferred', models.BooleanField(default=False)),
                ('quote', models.TextField(blank=True)),
                ('body', models.TextField()),
                ('body_html', models.TextField()),
                ('body_text', models.TextField(blank=True)),
                ('path', models.CharField(blank=True, db_index=True, max_length=2010)),
                ('depth', models.PositiveSmallIntegerField(default=0)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('edited', models.DateTimeField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('note', models.TextField(blank=True, help_text='Import notes, e.g. Kialo cross-links.')),
                ('submission_token', models.CharField(blank=True, max_length=64)),
                ('deleted_by_author', models.BooleanField(default=False)),
                ('removed_at', models.DateTimeField(blank=True, null=True)),
                ('removed_reason', models.CharField(blank=True, max_length=500)),
                ('held_for_approval', models.BooleanField(default=False)),
                ('is_placeholder', models.BooleanField(default=False)),
                ('created_unknown', models.BooleanField(default=False)),
                ('quote_version', models.PositiveIntegerField(blank=True, null=True)),
                ('upvotes', models.PositiveIntegerField(default=0)),
                ('downvotes', models.PositiveIntegerField(default=0)),
                ('agrees', models.PositiveIntegerField(default=0)),
                ('disagrees', models.PositiveIntegerField(default=0)),
                ('reply_count', models.PositiveIntegerField(default=0)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='posts', to=settings.AUTH_USER_MODEL)),
                ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='threads.post')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='threads.post')),
                ('removed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['path'],
            },
        ),
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('topic', 'Topic'), ('scheme', 'Argument scheme'), ('quality', 'Quality / fallacy')], max_length=8)),
                ('name', models.CharField(max_length=60)),
                ('slug', models.SlugField(max_length=70, unique=True)),
                ('description', models.CharField(blank=True, max_length=300)),
                ('retired', models.BooleanField(default=False)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('merged_into', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_tags', to='threads.tag')),
            ],
            options={
                'ordering': ['kind', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Thread',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('slug', models.SlugField(max_length=220)),
                ('link', models.URLField(blank=True, max_length=500)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_activity', models.DateTimeField(default=django.utils.timezone.now)),
                ('locked', models.BooleanField(default=False)),
                ('lock_reason', models.CharField(blank=True, max_length=500)),
                ('reply_count', models.PositiveIntegerField(default=0)),
                ('participant_count', models.PositiveIntegerField(default=1)),
                ('score', models.IntegerField(default=0)),
                ('data_version', models.BigIntegerField(default=0)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'permissions': [('moderate', 'Can moderate threads, posts, tags, reports and users')],
            },
        ),
        migrations.CreateModel(
            name='RatingQueue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('watermark', models.BigIntegerField(default=-1)),
                ('posts', models.JSONField(blank=True, default=list)),
                ('computed_at', models.DateTimeField(blank=True, null=True)),
                ('thread', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='rating_queue', to='threads.thread')),
            ],
        ),
        migrations.CreateModel(
            name='QueuePass',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='threads.post')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='threads.thread')),
            ],
        ),
        migrations.AddField(
            model_name='post',
            name='thread',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='posts', to='threads.thread'),
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reply', 'replied'), ('quote', 'quoted you'), ('mention', 'mentioned you'), ('answered', 'answered you'), ('moderation', 'moderated your post'), ('crux', 'crux')], max_length=10)),
                ('detail', models.CharField(blank=True, max_length=500)),
                ('read', models.BooleanField(default=False)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('emailed', models.BooleanField(default=False)),
                ('digested', models.BooleanField(default=False)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                ('post', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='threads.post')),
                ('thread', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='threads.thread')),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ModAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('tag', 'tagged'), ('untag', 'untagged'), ('role', 'changed the role of'), ('remove', 'removed'), ('restore', 'restored'), ('approve', 'approved'), ('lock', 'locked'), ('unlock', 'unlocked'), ('ban', 'banned'), ('unban', 'unbanned'), ('resolve', 'resolved reports on'), ('tag_create', 'created tag'), ('tag_rename', 'renamed tag'), ('tag_merge', 'merged tag'), ('tag_retire', 'retired tag'), ('mod_grant', 'made a moderator:'), ('mod_revoke', 'ended the moderator role of'), ('duplicate', 'marked as a duplicate'), ('unduplicate', 'unmarked as a duplicate')], max_length=12)),
                ('reason', models.CharField(blank=True, max_length=500)),
                ('details', models.JSONField(blank=True, default=dict)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('moderator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('post', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='threads.post')),
                ('tag', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='threads.tag')),
                ('thread', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='threads.thread')),
            ],
            options={
                'ordering': ['-created', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ThreadAnalysis',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=8)),
                ('watermark', models.BigIntegerField(default=-1)),
                ('algorithm', models.CharField(blank=True, max_length=40)),
                ('map', models.JSONField(blank=True, null=True)),
                ('summary', models.JSONField(blank=True, null=True)),
                ('panel', models.JSONField(blank=True, null=True)),
                ('timings', models.JSONField(blank=True, default=dict)),
                ('vote_count', models.PositiveIntegerField(default=0)),
                ('computed_at', models.DateTimeField(blank=True, null=True)),
                ('requested_at', models.DateTimeField(blank=True, null=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
                ('error_at', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('attempts_version', models.BigIntegerField(default=-1)),
                ('failed_version', models.BigIntegerField(blank=True, null=True)),
                ('thread', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='analysis', to='threads.thread')),
            ],
            options={
                'verbose_name_plural': 'thread analyses',
            },
        ),
        migrations.CreateModel(
            name='ThreadVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seen_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('watermark', models.BigIntegerField(default=-1)),
                ('map_seen', models.JSONField(blank=True, null=True)),
                ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='threads.thread')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Vote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('axis', models.CharField(choices=[('quality', 'Quality'), ('agree', 'Agreement')], max_length=8)),
                ('value', models.SmallIntegerField()),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated', models.DateTimeField(default=django.utils.timezone.now)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='threads.post')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Watch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('watching', 'Watching: every new post'), ('tracking', 'Tracking: replies to you and mentions'), ('muted', 'Muted: nothing at all')], default='tracking', max_length=8)),
                ('updated', models.DateTimeField(default=django.utils.timezone.now)),
                ('thread', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='watches', to='threads.thread')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Draft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, max_length=200)),
                ('text', models.TextField(blank=True)),
                ('quote', models.TextField(blank=True)),
                ('role', models.CharField(blank=True, max_length=12)),
                ('updated', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='threads.post')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'parent'), name='one_draft_per_user_parent'), models.UniqueConstraint(condition=models.Q(('parent__isnull', True)), fields=('user',), name='one_new_thread_draft')],
            },
        ),
        migrations.CreateModel(
            name='Credence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.PositiveSmallIntegerField()),
                ('previous', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('because', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='credited_credences', to='threads.post')),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credences', to='threads.post')),
            ],
            options={
                'ordering': ['at', 'id'],
                'indexes': [models.Index(fields=['user', 'post', '-at'], name='credence_user_post_idx'), models.Index(fields=['post', '-at'], name='credence_post_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('value__gte', 1), ('value__lte', 99)), name='credence_value_1_to_99')],
            },
        ),
        migrations.CreateModel(
            name='Reaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('crux', "That's a crux for me"), ('not_crux', 'Not a crux'), ('changed_mind', 'Changed my mind'), ('needs_evidence', 'Needs evidence')], max_length=16)),
                ('quote', models.TextField(blank=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reactions', to='threads.post')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['post', 'kind'], name='reaction_post_kind_idx')],
                'constraints': [models.UniqueConstraint(fields=('user', 'post', 'kind', 'quote'), name='one_reaction_per_user_post_kind_quote'), models.CheckConstraint(condition=models.Q(('kind__in', ['crux', 'not_crux', 'changed_mind', 'needs_evidence'])), name='reaction_kind_is_known')],
            },
        ),
        migrations.CreateModel(
            name='Report',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('report', 'Report'), ('quality', 'Quality contribution nomination')], default='report', max_length=8)),
                ('reason', models.CharField(max_length=500)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('resolution', models.CharField(blank=True, choices=[('removed', 'Post removed'), ('dismissed', 'Dismissed'), ('tagged', 'Tagged')], max_length=10)),
                ('resolution_reason', models.CharField(blank=True, max_length=500)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='threads.post')),
                ('reporter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['resolved_at', 'post'], name='report_open_idx')],
                'constraints': [models.UniqueConstraint(fields=('post', 'reporter'), name='one_report_per_user_per_post')],
            },
        ),
        migrations.CreateModel(
            name='Revision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('body', models.TextField()),
                ('quote', models.TextField(blank=True)),
                ('role', models.CharField(choices=[('claim', 'claims'), ('rebuttal', 'rebuts'), ('support', 'supports'), ('question', 'asks'), ('answer', 'answers'), ('concession', 'concedes'), ('comment', 'comments')], max_length=12)),
                ('created', models.DateTimeField(help_text='When this version was written.')),
                ('replaced', models.DateTimeField(default=django.utils.timezone.now, help_text='When it was edited away.')),
                ('editor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='threads.post')),
            ],
            options={
                'ordering': ['post', 'number'],
                'constraints': [models.UniqueConstraint(fields=('post', 'number'), name='one_revision_number_per_post')],
            },
        ),
        migrations.CreateModel(
            name='PostTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.CharField(blank=True, max_length=300)),
                ('created', models.DateTimeField(default=django.utils.timezone.now)),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='post_tags', to='threads.post')),
                ('tagged_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='post_tags', to='threads.tag')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('post', 'tag'), name='one_use_of_a_tag_per_post')],
            },
        ),
        migrations.AddIndex(
            model_name='thread',
            index=models.Index(fields=['-last_activity'], name='thread_activity_idx'),
        ),
        migrations.AddIndex(
            model_name='thread',
            index=models.Index(fields=['-created'], name='thread_created_idx'),
        ),
        migrations.AddIndex(
            model_name='thread',
            index=models.Index(fields=['-score'], name='thread_score_idx'),
        ),
        migrations.AddIndex(
            model_name='queuepass',
            index=models.Index(fields=['user', 'thread'], name='queue_pass_user_thread_idx'),
        ),
        migrations.AddConstraint(
            model_name='queuepass',
            constraint=models.UniqueConstraint(fields=('user', 'post'), name='one_queue_pass_per_user_post'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(fields=['thread', 'path'], name='post_thread_path_idx'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(fields=['thread'], include=('parent', 'upvotes', 'downvotes', 'held_for_approval', 'author'), name='post_skeleton_idx'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(fields=['author', '-created'], name='post_author_created_idx'),
        ),
        migrations.AddConstraint(
            model_name='post',
            constraint=models.CheckConstraint(condition=models.Q(('parent__isnull', False), models.Q(('depth', 0), ('role', 'claim')), _connector='OR'), name='opening_post_is_a_claim'),
        ),
        migrations.AddConstraint(
            model_name='post',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['claim', 'rebuttal', 'support', 'question', 'answer', 'concession', 'comment'])), name='post_role_is_known'),
        ),
        migrations.AddConstraint(
            model_name='post',
            constraint=models.UniqueConstraint(condition=models.Q(('submission_token', ''), _negated=True), fields=('author', 'submission_token'), name='one_post_per_submission_token'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['recipient', '-at'], name='notification_inbox_idx'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('read', False)), fields=['recipient'], name='notification_unread_idx'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['reply', 'quote', 'mention', 'answered', 'moderation', 'crux'])), name='notification_kind_is_known'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['reply', 'quote', 'mention', 'answered'])), fields=('recipient', 'post', 'kind'), name='one_post_notification_per_kind'),
        ),
        migrations.AddConstraint(
            model_name='threadvisit',
            constraint=models.UniqueConstraint(fields=('user', 'thread'), name='one_visit_row_per_user_thread'),
        ),
        migrations.AddIndex(
            model_name='vote',
            index=models.Index(fields=['post', 'axis'], name='vote_post_axis_idx'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.UniqueConstraint(fields=('user', 'post', 'axis'), name='one_vote_per_user_post_axis'),
        ),
        migrations.AddConstraint(
            model_name='vote',
            constraint=models.CheckConstraint(condition=models.Q(('value__in', [-1, 1])), name='vote_value_is_plus_or_minus_one'),
        ),
        migrations.AddIndex(
            model_name='watch',
            index=models.Index(fields=['thread', 'level'], name='watch_thread_level_idx'),
        ),
        migrations.AddConstraint(
            model_name='watch',
            constraint=models.UniqueConstraint(fields=('user', 'thread'), name='one_watch_per_user_thread'),
        ),
        migrations.AddConstraint(
            model_name='watch',
            constraint=models.CheckConstraint(condition=models.Q(('level__in', ['watching', 'tracking', 'muted'])), name='watch_level_is_known'),
        ),
        # Dropping the tables takes the trigger, the tags and the indexes with them; the
        # trigger function and the group live outside them.
        migrations.RunPython(add_append_only_guard, drop_append_only_guard),
        migrations.RunPython(create_group, remove_group),
        migrations.RunPython(seed_tags, migrations.RunPython.noop),
        migrations.RunPython(create_search_indexes, migrations.RunPython.noop),
    ]
