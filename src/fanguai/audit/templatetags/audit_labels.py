"""Template filters that show the audit trail's codes as labels (see fanguai.audit.labels):
``{{ e.action|action_label }}``, ``{{ e.object_type|object_type_label }}``,
``{{ e.changed_fields|field_labels:e.object_type }}`` (a list, or field names joined by commas as a timeline
note keeps them)."""

from django import template

from .. import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code)


@register.filter
def object_type_label(code: str) -> str:
    return labels.object_type_label(code)


@register.filter
def field_labels(fields: list[str] | str, object_type: str) -> str:
    names = [name.strip() for name in fields.split(",")] if isinstance(fields, str) else list(fields)
    return "、".join(labels.field_labels(object_type, [name for name in names if name]))
