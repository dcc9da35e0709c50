from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0009_post_is_placeholder"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="created_unknown",
            field=models.BooleanField(default=False),
        ),
    ]
