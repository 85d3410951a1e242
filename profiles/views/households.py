"""The household ("Learning Family") pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnprofile.access import citizen_view
from learnprofile.errors import DomainError
from learnprofile.forms import form_error_add
from learnprofile.text import typed_code_normalise
from profiles import selectors
from profiles.api import AuthenticatedHttpRequest
from profiles.learning_forms import HouseholdCreateForm, HouseholdInviteForm, JoinCodeForm
from profiles.models import ConsentRecord, HouseholdInvitation
from profiles.phone import phone_parse
from profiles.services import households
from profiles.services.privacy.consent import consent_set


def _household_page(
    request: AuthenticatedHttpRequest,
    *,
    create_form: HouseholdCreateForm | None = None,
    invite_form: HouseholdInviteForm | None = None,
    join_form: JoinCodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    household = selectors.household_of(user=user)
    context: dict[str, object] = {
        "household": household,
        "invitations_for_me": selectors.household_invitations_for(user=user),
        "join_form": join_form or JoinCodeForm(),
    }
    if household is None:
        context["create_form"] = create_form or HouseholdCreateForm()
    else:
        sharing = selectors.users_consenting(
            user_ids=[user.pk], purpose=ConsentRecord.Purpose.HOUSEHOLD_SHARING
        )
        context.update(
            members=selectors.household_members_view(household=household, viewer=user),
            pending_invitations=household.invitations.filter(
                status=HouseholdInvitation.Status.PENDING
            ).order_by("-created_at"),
            invite_form=invite_form or HouseholdInviteForm(),
            is_sharing=user.pk in sharing,
        )
    return render(request, "profiles/household/home.html", context, status=status)


@citizen_view
def household_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _household_page(request)


@citizen_view
@require_POST
def household_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = HouseholdCreateForm(request.POST)
    if form.is_valid():
        try:
            households.household_create(actor=user, name=form.cleaned_data["name"])
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã tạo gia đình học tập."))
            return redirect("household_home")
    return _household_page(request, create_form=form, status=400)


@citizen_view
@require_POST
def household_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = HouseholdInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = households.household_invite(
                actor=user,
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            if invitation.email:
                messages.success(request, _("Đã gửi lời mời qua email."))
            else:
                messages.success(
                    request,
                    _("Đã tạo lời mời. Hãy báo cho người được mời mã: %(code)s")
                    % {"code": invitation.code},
                )
                # The service accepted the number; an old 11-digit one was converted.
                note = phone_parse(form.cleaned_data["phone"]).note
                if note:
                    messages.info(request, note)
            return redirect("household_home")
    return _household_page(request, invite_form=form, status=400)


@citizen_view
def household_join(request: AuthenticatedHttpRequest, code: str = "") -> HttpResponse:
    """Open an invitation (from the email link or a typed code), then accept or decline."""
    user = request.user
    if not code:
        form = JoinCodeForm(request.GET or None)
        if form.is_valid():
            return redirect("household_join", code=form.cleaned_data["code"])
        return _household_page(request, join_form=form, status=400 if request.GET else 200)
    invitation = (
        HouseholdInvitation.objects.select_related("household")
        .filter(code=typed_code_normalise(code).upper())
        .first()
    )
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "decline":
                households.household_invitation_decline(actor=user, code=code)
                messages.success(request, _("Bạn đã từ chối lời mời."))
            else:
                households.household_invitation_accept(actor=user, code=code)
                if request.POST.get("share") == "1":
                    consent_set(
                        actor=user,
                        purpose=ConsentRecord.Purpose.HOUSEHOLD_SHARING,
                        is_granted=True,
                    )
                messages.success(request, _("Bạn đã tham gia gia đình học tập."))
            return redirect("household_home")
        except DomainError as error:
            return render(
                request,
                "profiles/household/join.html",
                {"invitation": invitation, "error": error.message},
                status=error.http_status if error.http_status != 404 else 404,
            )
    return render(request, "profiles/household/join.html", {"invitation": invitation, "code": code})


@citizen_view
@require_POST
def household_invitation_revoke(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    try:
        households.household_invitation_revoke(actor=user, code=code)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã hủy lời mời."))
    return redirect("household_home")


@citizen_view
@require_POST
def household_sharing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Share (or stop sharing) my learning with my household: a consent, withdrawable."""
    user = request.user
    is_granted = request.POST.get("share") == "1"
    consent_set(actor=user, purpose=ConsentRecord.Purpose.HOUSEHOLD_SHARING, is_granted=is_granted)
    if is_granted:
        messages.success(request, _("Gia đình của bạn giờ thấy được việc học của bạn."))
    else:
        messages.success(request, _("Gia đình của bạn không còn thấy việc học của bạn."))
    return redirect("household_home")


@citizen_view
@require_POST
def household_leave(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    try:
        households.household_leave(actor=user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Bạn đã rời gia đình học tập."))
    return redirect("household_home")
