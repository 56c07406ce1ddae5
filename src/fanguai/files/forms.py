from django import forms
from django.utils.translation import gettext_lazy as _

from fanguai.core.errors import ValidationFailed
from fanguai.core.validators import CheckedForm

from .inspection import inspect_upload

ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,.gif,.docx,.xlsx,.doc,.xls"


class AttachmentField(forms.FileField):
    """A file field that runs the same type and size checks as the service, so the form shows the message
    next to the field instead of after a round trip."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("File"))
        kwargs.setdefault("help_text", _("PDF, image, Word or Excel file."))
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": ACCEPT, "class": "form-control"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                inspect_upload(upload)
            except ValidationFailed as exc:
                raise forms.ValidationError([e.message for e in exc.errors]) from exc
            upload.seek(0)
        return upload


class AttachmentForm(CheckedForm):
    file = AttachmentField()
