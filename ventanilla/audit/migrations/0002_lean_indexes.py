"""The audit trail keeps only the indexes its reads use (ADR 0006, seventh session).

The new indexes and the unique constraint on ``hash`` are created first, so uniqueness
holds at every step; then the fields' own ``db_index``/``unique`` go, and with them, on
PostgreSQL, their ``LIKE``-pattern twins and the index on ``target_type`` alone, which
the (target type, target id, seq) index serves."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_mandate'),
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['target_id'], name='audit_event_target_id_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['verb'], name='audit_event_verb_idx'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('hash',), name='audit_event_hash_unique'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(max_length=64, verbose_name='hash'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='target_id',
            field=models.CharField(max_length=100, verbose_name='target id'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='target_type',
            field=models.CharField(max_length=100, verbose_name='target type'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='verb',
            field=models.CharField(max_length=100, verbose_name='verb'),
        ),
    ]
