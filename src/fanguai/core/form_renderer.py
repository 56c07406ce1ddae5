"""The project's form renderer: Django's TemplatesSetting (widgets get Bootstrap classes from the templates in
templates/django/forms/widgets/) with a bound field that gives every visible control its label as an
accessible name (``aria-label``). Filter forms above the lists show their selects and search boxes without a
visible label, to save room; screen readers then still announce what each control is for (WCAG 2.0 AA,
GB/T 37668). Where a template also shows a ``<label for=...>`` the two say the same."""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class LabelledBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        own = widget.attrs
        if (
            self.label
            and not widget.is_hidden
            and not any(key in attrs or key in own for key in ("aria-label", "aria-labelledby"))
        ):
            attrs["aria-label"] = str(self.label)
        return attrs


class Renderer(TemplatesSetting):
    bound_field_class = LabelledBoundField
