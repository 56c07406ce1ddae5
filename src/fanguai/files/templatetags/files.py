from django import template

from fanguai.core.policies import policy_for

from ..forms import AttachmentForm
from ..models import StoredFile
from ..selectors import files_for

register = template.Library()


@register.inclusion_tag("files/partials/attachments.html", takes_context=True)
def attachments(context, obj, upload_url: str = "", can_upload: bool = True):
    """`{% attachments person upload_url %}`: the object's files (as the signed-in user may see them) and,
    when upload_url is given, an upload form posting there."""
    request = context["request"]
    files = files_for(request.user, obj)
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "attachments": files,
        "attachment_form": AttachmentForm() if upload_url and can_upload else None,
        "upload_url": upload_url if can_upload else "",
    }


@register.filter
def can_delete_file(stored: StoredFile, user) -> bool:
    return policy_for(StoredFile).can(user, "delete", stored)
