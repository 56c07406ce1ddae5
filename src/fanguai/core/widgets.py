"""Form widgets that render in Python where Django's template widgets are too slow for their size.

Django renders each ``<option>`` of a select through two template includes; a select of the city's 170
townships and counties then costs about 20 ms of CPU on every request of the public report form. `Select`
writes the same HTML as the project's ``django/forms/widgets/select.html`` (Bootstrap's ``form-select`` class
first) and Django's ``select_option.html`` directly."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        attrs = dict(widget["attrs"])
        css = "form-select " + str(attrs.pop("class", ""))
        parts = [format_html('<select name="{}" class="{}"{}>', widget["name"], css, flatatt(attrs))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        str(option["value"]),
                        flatatt(option["attrs"]),
                        conditional_escape(option["label"]),
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
