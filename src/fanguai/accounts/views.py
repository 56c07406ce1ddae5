import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from fanguai.audit.services import record_event
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless

from . import services
from .forms import LoginForm, StaffChangeForm, StaffForm, TokenForm
from .models import User
from .roles import Role
from .selectors import confirmed_totp_device, visible_users


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every signed-in user changes their own password here (after the second factor, see
    SecondFactorMiddleware), under the configured password policy; the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        services.set_password(
            actor=self.request.user, user=form.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password was changed."))
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            # A wrong current password on a signed-in session may be someone else at an unlocked desk.
            record_event(
                "user.password",
                actor=self.request.user,
                object_type="accounts.user",
                object_id=self.request.user.pk,
                outcome="failure",
            )
        return super().form_invalid(form)


def _add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when it names one of the form's fields."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse_lazy("core:home")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Verify the code of an enrolled authenticator, or enrol one (QR code) when the user has none."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    device = confirmed_totp_device(user)
    form = TokenForm(request.POST or None)
    if device is not None:
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
            record_event(
                "user.2fa_verify",
                actor=user,
                object_type="accounts.user",
                object_id=user.pk,
                outcome="failure",
            )
            form.add_error("token", _("The code is wrong or expired."))
        return render(request, "accounts/second_factor.html", {"form": form, "next": _safe_next(request)})

    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if request.method == "POST" and pending is not None and form.is_valid():
        if services.confirm_totp_enrolment(user, pending, form.cleaned_data["token"]):
            otp_login(request, pending)
            messages.success(request, _("Two-factor login is set up."))
            return redirect(_safe_next(request))
        form.add_error("token", _("The code is wrong or expired. Check the time on your phone."))
    if pending is None:
        pending = services.start_totp_enrolment(user)
    uri = pending.config_url
    secret = base64.b32encode(pending.bin_key).decode()
    return render(
        request,
        "accounts/enrol.html",
        {"form": form, "qr": _qr_svg(uri), "secret": secret, "next": _safe_next(request)},
    )


@login_required
def staff_list(request):
    forbid_unless(policy_for(User).can(request.user, "list"))
    users = visible_users(
        request.user, query=request.GET.get("q", "").strip(), role=request.GET.get("role", "")
    )
    page = BoundedPaginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "roles": Role.choices})


@login_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    forbid_unless(policy_for(User).can(request.user, "create"))
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_user(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("The account was created."))
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "title": _("New account")})


@login_required
@require_http_methods(["GET", "POST"])
def staff_change(request, pk: int):
    target = policy_for(User).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(User).can(request.user, "change", target))
    form = StaffChangeForm(request.POST or None, instance=User.objects.get(pk=target.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(actor=request.user, user=target, **form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("The account was updated."))
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "title": target.username})


@login_required
@require_http_methods(["POST"])
def staff_reset_security(request, pk: int):
    target = policy_for(User).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(User).can(request.user, "reset_security", target))
    services.reset_security(actor=request.user, user=target)
    messages.success(request, _("The account is unlocked and its second factor removed."))
    return redirect("accounts:staff_list")
