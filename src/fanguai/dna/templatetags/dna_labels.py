"""Template filters that show the DNA app's machine values by their labels (see fanguai.dna.labels)."""

from django import template

from fanguai.dna import labels

register = template.Library()

register.filter("kit_label", labels.kit_label)
register.filter("relationship_label", labels.relationship_label)
register.filter("conclusion_label", labels.conclusion_label)
