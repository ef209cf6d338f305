from django.db import migrations

from netmark.planning.catalogue import CHANNEL_TYPES


def seed(apps, schema_editor):
    ChannelType = apps.get_model("planning", "ChannelType")
    for order, (code, name_en, name_zh, kind, desc_en, desc_zh) in enumerate(CHANNEL_TYPES):
        ChannelType.objects.update_or_create(
            code=code,
            defaults={"name_en": name_en, "name_zh": name_zh, "kind": kind, "description_en": desc_en,
                      "description_zh": desc_zh, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
