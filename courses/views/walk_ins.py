"""Walk-in learners at the center, under /staff/ (MFA required): find a person by phone or
ID number and enroll them, or register them without an account; a walk-in's claim code and
claims (with undo). A learner or offering of another center answers 404."""

import uuid
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms import ClaimUndoForm, LearnerFindForm, WalkInForm
from courses.services import enrollment as enrollment_services
from courses.services import walk_ins
from courses.views.attendance import _offering
from learnprofile.absolute_urls import absolute_url
from learnprofile.access import staff_view
from learnprofile.errors import DomainError
from learnprofile.forms import form_error_add
from profiles import api as profiles_api
from profiles.data import PersonData


def _shown(person: PersonData) -> str:
    """How the walk-in pages name a person to staff without giving away their contact: the
    name; without one, the contact masked as the look-up shows it ("•••• 456", or
    "lo•••@example.com" for an e-mail address); "—" without either."""
    if person.full_name:
        return person.full_name
    if person.phone:
        return f"•••• {person.phone[-3:]}"
    if person.email:
        local, _at, domain = person.email.partition("@")
        return f"{local[:2]}•••@{domain}"
    return "—"


@staff_view
def walk_in_new(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    """Find the learner by phone or ID number; enroll them, or register them as new."""
    offering = _offering(request, offering_id)
    find_form = LearnerFindForm(request.GET or None)
    found = None
    if request.GET and find_form.is_valid():
        try:
            found = walk_ins.learners_find(
                actor=request.user,
                phone=find_form.cleaned_data["phone"],
                national_id=find_form.cleaned_data["national_id"],
            )
        except (ValidationError, DomainError) as error:
            form_error_add(find_form, error)
    form = WalkInForm(request.POST or None, default_ward_id=offering.ward_id)
    if request.method == "POST" and not request.POST.get("find_ward") and form.is_valid():
        try:
            registration = walk_ins.walk_in_register(
                actor=request.user,
                organization_id=offering.course.provider_id,
                offering_id=offering.pk,
                **form.service_fields(),
            )
        except walk_ins.PhoneShared as shared:
            form.add_error("phone", str(shared.message))
            form.phone_is_shared = True
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            request.session[f"claim-code-{registration.walk_in.public_id}"] = (
                registration.claim_code
            )
            if form.phone_note:
                messages.info(request, form.phone_note)
            return redirect("walk_in_detail", walk_in_id=registration.walk_in.public_id)
    return render(
        request,
        "courses/attendance/walk_in_new.html",
        {"offering": offering, "find_form": find_form, "found": found, "form": form},
    )


@staff_view
@require_POST
def walk_in_enroll(request: HttpRequest, offering_id: UUID) -> HttpResponse:
    """Enroll a person found by phone or ID number into this offering."""
    offering = _offering(request, offering_id)
    try:
        person = profiles_api.person_get_by_public_id(
            public_id=uuid.UUID(request.POST.get("person", ""))
        )
    except ValueError:
        person = None
    if person is None:
        raise Http404
    try:
        _enrollment, created = enrollment_services.enrollment_create_for(
            actor=request.user, learner_id=person.id, offering_id=offering.pk
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("walk_in_new", offering_id=offering.public_id)
    if created:
        messages.success(request, _("Đã ghi danh %(name)s vào lớp.") % {"name": _shown(person)})
    else:
        messages.info(request, _("Người học này đã có trong lớp."))
    return redirect("roster", offering_id=offering.public_id)


@staff_view
def walk_in_detail(request: HttpRequest, walk_in_id: UUID) -> HttpResponse:
    """A walk-in learner: their claim code (shown once, to print), claims and undo."""
    try:
        walk_in = walk_ins.walk_in_for_staff(actor=request.user, walk_in_id=walk_in_id)
    except DomainError as error:
        raise Http404 from error
    undo_form = ClaimUndoForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "new_code":
                code = walk_ins.walk_in_code_new(actor=request.user, walk_in_id=walk_in.public_id)
                request.session[f"claim-code-{walk_in.public_id}"] = code
            elif undo_form.is_valid():
                walk_ins.walk_in_claim_undo(
                    actor=request.user,
                    claim_id=undo_form.cleaned_data["claim"],
                    reason=undo_form.cleaned_data["reason"],
                )
                messages.success(request, _("Đã hoàn tác: hồ sơ đã trở về như trước khi nhận."))
            else:
                raise ValidationError(
                    [message for messages in undo_form.errors.values() for message in messages]
                )
        except (ValidationError, DomainError) as error:
            form_error_add(undo_form, error)
        else:
            return redirect("walk_in_detail", walk_in_id=walk_in.public_id)
    code = request.session.pop(f"claim-code-{walk_in.public_id}", None)
    person = profiles_api.person_get(user_id=walk_in.learner_id)
    claims = list(walk_in.claims.order_by("-claimed_at"))
    claimants = profiles_api.persons_get(user_ids={claim.claimant_id for claim in claims})
    claimant_labels = {
        claim.claimant_id: _shown(claimants[claim.claimant_id])
        if claim.claimant_id in claimants
        else "—"
        for claim in claims
    }
    return render(
        request,
        "courses/attendance/walk_in.html",
        {
            "walk_in": walk_in,
            "person": person,
            "code": code,
            "claims": [(claim, claimant_labels[claim.claimant_id]) for claim in claims],
            "undo_form": undo_form,
            "claim_url": absolute_url("walk_in_claim"),
        },
    )
