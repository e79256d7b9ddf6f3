from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0008_search_index"),
    ]

    operations = [
        # A new column only: the columns 0008's generated search_document reads keep their types.
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
