from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0010_modaction_moderator_grants"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="created_unknown",
            field=models.BooleanField(default=False),
        ),
    ]
