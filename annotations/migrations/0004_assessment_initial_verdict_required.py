# Every assessment has its initial verdict once 0003 filled it in. A migration of its own:
# PostgreSQL refuses to alter a table with deferred foreign-key checks still pending from the
# data step in the same transaction.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_blind_review_policy_and_withdrawal"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="initial_verdict",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="annotations.verdictlabel",
            ),
        ),
    ]
