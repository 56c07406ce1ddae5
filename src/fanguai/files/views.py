from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fanguai.core.errors import ValidationFailed
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless

from . import selectors, services
from .forms import AttachmentForm
from .models import StoredFile


def _safe_next(request, fallback: str = "core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(fallback)


@login_required
@require_GET
def download(request, pk):
    """The only way out for a stored file: permission-checked, audited, never rendered inline."""
    stored = selectors.stored_file(pk)
    allowed = policy_for(StoredFile).can_view(request.user, stored)
    services.record_download(actor=request.user, file=stored, allowed=allowed)
    if not allowed:
        raise Http404  # the same answer as for an unknown id: existence is not disclosed
    try:
        handle = services.private_storage().open(stored.storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete(request, pk):
    stored = selectors.stored_file(pk)
    if not policy_for(StoredFile).can_view(request.user, stored):
        services.record_download(actor=request.user, file=stored, allowed=False)
        raise Http404
    forbid_unless(policy_for(StoredFile).can(request.user, "delete", stored))
    services.delete_file(actor=request.user, file=stored)
    messages.success(request, _("The file was deleted."))
    return HttpResponseRedirect(_safe_next(request))


def handle_attachment_upload(request, obj) -> StoredFile | None:
    """For the owning app's upload view (after it has checked that the user may change obj): validate the
    posted AttachmentForm, store and attach the file, and leave a message. Returns the file or None."""
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return None
    try:
        stored = services.store_upload(actor=request.user, upload=form.cleaned_data["file"], attach_to=obj)
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
        return None
    messages.success(request, _("The file was attached."))
    return stored
