"""Center staff: the verification queue and the read-only learner summary."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from learnprofile.access import staff_view
from learnprofile.errors import DomainError
from learnprofile.forms import form_error_add
from profiles import permissions, selectors, services
from profiles.api import AuthenticatedHttpRequest
from profiles.learning_forms import VerificationDecisionForm
from profiles.models import CitizenProfile, LearningRecord
from profiles.services import learning
from profiles.timeline import timeline_items


@staff_view
def verification_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.center_organization_ids(user):
        raise Http404
    return render(
        request,
        "profiles/staff/verification_queue.html",
        {"records": selectors.verification_queue(user=user)},
    )


@staff_view
def verification_decide(request: AuthenticatedHttpRequest, record_id: UUID) -> HttpResponse:
    user = request.user
    record = (
        LearningRecord.objects.select_related("citizen__citizen_profile", "verifier_organization")
        .filter(public_id=record_id)
        .first()
    )
    if record is None or not permissions.may_verify_record(user, record):
        raise Http404
    form = VerificationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            learning.learning_record_decide(
                actor=user,
                record_id=record.public_id,
                is_verified=form.cleaned_data["decision"] == "verify",
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, DomainError) as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("Đã ghi nhận quyết định."))
            return redirect("verification_queue")
    return render(
        request,
        "profiles/staff/verification_decide.html",
        {
            "record": record,
            "items": timeline_items([record]),
            "form": form,
            "evidence": record.evidence.all(),
        },
        status=400 if form.errors else 200,
    )


@staff_view
def learner_summary(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Read-only summary of a learner known at the staff member's center. Every view, and
    every refused attempt, is written to the audit log."""
    user = request.user
    learner = services.learner_summary_open(actor=user, public_id=public_id)
    if learner is None:
        raise Http404
    profile = (
        CitizenProfile.objects.select_related("residence_ward__parent").filter(user=learner).first()
    )
    return render(
        request,
        "profiles/staff/learner_summary.html",
        {
            "learner": learner,
            "profile": profile,
            "totals": selectors.learning_totals(user_id=learner.pk),
            "items": timeline_items(selectors.learning_records_of(user=learner)[:50]),
        },
    )
