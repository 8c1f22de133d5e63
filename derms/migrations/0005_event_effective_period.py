import datetime as dt

from django.db import migrations, models


def fill_effective_period(apps, schema_editor):
    DERControl = apps.get_model("derms", "DERControl")
    for control in DERControl.objects.all().iterator():
        rs, rd = control.randomize_start or 0, control.randomize_duration or 0
        control.effective_start = control.start + dt.timedelta(seconds=min(0, rs))
        control.effective_end = control.start + dt.timedelta(seconds=control.duration + max(0, rs) + max(0, rd))
        control.save(update_fields=["effective_start", "effective_end"])


class Migration(migrations.Migration):
    dependencies = [
        ("derms", "0004_merge_0002_uint32_controls_bigint_0003_uint32_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="dercontrol",
            name="effective_start",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="dercontrol",
            name="effective_end",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill_effective_period, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="dercontrol",
            name="effective_start",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AlterField(
            model_name="dercontrol",
            name="effective_end",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name="dercontrol",
            index=models.Index(fields=["program", "effective_end"], name="dercontrol_program_eff_end"),
        ),
    ]
