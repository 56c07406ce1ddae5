"""Data migration: an existing, unkeyed chain (public SHA-256) is closed by a keyed `audit.rekey` event.
Events before it keep their old hash; verification requires every event after it to be keyed, and accepts
the oldest event's recorded link as the chain's start. Needs the audit key (in production it must exist)."""

from django.db import migrations
from django.utils import timezone


def rekey(apps, schema_editor):
    from fanguai.audit.chain import REKEY_ACTION, keyed_hash
    from fanguai.audit.keys import audit_key, key_id

    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias)
    head = events.order_by("-id").first()
    if head is None:
        return  # a new installation: the chain is keyed from its first event
    key = audit_key()
    first = events.order_by("id").first()
    values = {
        "created_at": timezone.now(),
        "actor_id": None,
        "actor_username": "",
        "unit_code": "",
        "ip_address": None,
        "action": REKEY_ACTION,
        "object_type": "audit.event",
        "object_id": "",
        "outcome": "success",
        "changed_fields": [],
        "details": {
            "chain": "hmac-sha256",
            "note": "every event from this one on is keyed with the audit key",
            "key_id": key_id(key),
            "unkeyed_events": events.count(),
            "unkeyed_head_id": head.id,
            "first_id": first.id,
            "first_previous_hash": first.previous_hash,
        },
    }
    events.create(previous_hash=head.hash, hash=keyed_hash(head.hash, values, key), **values)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_append_only_triggers"),
    ]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False)]
