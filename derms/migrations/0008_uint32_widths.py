"""UInt32 values clients send (postRate, intervalLength, a Reading's duration, a curve's time constant)
reach 4294967295: bigint columns, as PostgreSQL's integer stops at 2147483647."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("derms", "0007_read_path_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dercurve",
            name="autonomous_vref_time_constant",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="enddevice",
            name="post_rate",
            field=models.PositiveBigIntegerField(blank=True, help_text="Seconds between posts.", null=True),
        ),
        migrations.AlterField(
            model_name="mirrormeterreading",
            name="interval_length",
            field=models.PositiveBigIntegerField(blank=True, help_text="Seconds (UInt32).", null=True),
        ),
        migrations.AlterField(
            model_name="mirrorusagepoint",
            name="post_rate",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="Seconds between posts (UInt32); the server's default when empty.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="reading",
            name="duration",
            field=models.PositiveBigIntegerField(help_text="Seconds (UInt32)."),
        ),
    ]
