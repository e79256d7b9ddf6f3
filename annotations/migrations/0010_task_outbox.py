from typing import Any

from django.db import migrations, models


def record_waiting_work(apps: Any, schema_editor: Any) -> None:
    """Export jobs still queued and releases still freezing were asked for before the outbox
    existed: if their task was lost to a broker outage, nothing would ever run it. Recording them
    lets the outbox sweep send them (both tasks skip work already done)."""
    outbox = apps.get_model("annotations", "TaskOutbox")
    jobs = apps.get_model("annotations", "ExportJob").objects.filter(status="queued")
    releases = apps.get_model("annotations", "DatasetRelease").objects.filter(
        manifest__status="freezing"
    )
    outbox.objects.bulk_create(
        [
            outbox(task="annotations.run_export_job", args=[pk])
            for pk in jobs.values_list("pk", flat=True)
        ]
        + [
            outbox(task="annotations.freeze_release", args=[pk])
            for pk in releases.values_list("pk", flat=True)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_article_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskOutbox",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("task", models.CharField(max_length=200)),
                ("args", models.JSONField(blank=True, default=list)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("dispatched_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("done_at", models.DateTimeField(blank=True, null=True)),
                ("stopped_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
            ],
            options={
                "ordering": ("-created_at", "-id"),
                "indexes": [
                    models.Index(
                        condition=models.Q(("done_at__isnull", True), ("stopped_at__isnull", True)),
                        fields=["created_at"],
                        name="outbox_pending",
                    ),
                    models.Index(
                        condition=models.Q(("done_at__isnull", False)),
                        fields=["done_at"],
                        name="outbox_done",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("task", ""), _negated=True), name="outbox_task_named"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("done_at__isnull", True), ("stopped_at__isnull", True), _connector="OR"
                        ),
                        name="outbox_done_or_stopped",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("heartbeat_at__isnull", True),
                            models.Q(("done_at__isnull", True), ("stopped_at__isnull", True)),
                            _connector="OR",
                        ),
                        name="outbox_no_lease_when_finished",
                    ),
                ],
            },
        ),
        migrations.RunPython(record_waiting_work, migrations.RunPython.noop),
    ]
