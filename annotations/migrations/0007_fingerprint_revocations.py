"""Articles get a fingerprint of their words, so that a second import of the same text is noticed
(the import page links to the first one and offers to import anyway); the membership trail
records revoked invitations."""

from typing import Any

from django.db import migrations, models

from annotations.text import fingerprint

BATCH = 500


def fill(apps: Any, schema_editor: Any) -> None:
    article = apps.get_model("annotations", "Article")
    batch = []
    for row in article.objects.exclude(text="").only("pk", "text").iterator(chunk_size=BATCH):
        row.fingerprint = fingerprint(row.text)
        batch.append(row)
        if len(batch) >= BATCH:
            article.objects.bulk_update(batch, ["fingerprint"])
            batch = []
    article.objects.bulk_update(batch, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_editors_desk_publishing_members"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="fingerprint",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("fingerprint", ""), _negated=True),
                fields=["workspace", "fingerprint"],
                name="article_ws_fingerprint",
            ),
        ),
        migrations.RemoveConstraint(model_name="memberevent", name="member_event_kind"),
        migrations.AlterField(
            model_name="memberevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("added", "added"),
                    ("invited", "invited"),
                    ("joined", "joined by invitation"),
                    ("role_changed", "role changed"),
                    ("removed", "removed"),
                    ("refused", "refused: no such user"),
                    ("revoked", "invitation revoked"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="memberevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "added",
                            "invited",
                            "joined",
                            "role_changed",
                            "removed",
                            "refused",
                            "revoked",
                        ],
                    )
                ),
                name="member_event_kind",
            ),
        ),
    ]
