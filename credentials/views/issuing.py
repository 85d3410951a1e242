"""The issuer administrator's issuing, under /staff/ (MFA required): to one learner, to an
offering's completers, or from a CSV file, with a preview, its confirmation and a progress
page. Center staff and learners get 403; an achievement or batch of another organization
answers 404.

The preview's decisions travel to the confirmation signed (Django's signing, bound to the
administrator and the achievement, valid one hour), so nothing the browser sends back can
add a learner the preview did not show.
"""

import secrets
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credentials import selectors
from credentials.forms import IssueConfirmForm
from credentials.models import Achievement, Issuance, IssuanceBatch
from credentials.services import batches, lookups, pipeline, previews
from credentials.views.issuer import (
    achievement_for_page,
    achievement_page_render,
    issue_forms,
    page_object_get,
)
from learnprofile.access import staff_view
from learnprofile.errors import DomainError, NotFound, NotPermitted
from learnprofile.forms import form_error_add
from profiles.api import AuthenticatedHttpRequest

PLAN_SALT = "credentials.issue-plan"
PLAN_MAX_AGE = 3600
BATCH_ROWS_SHOWN = 500


@staff_view
@require_POST
def issue_preview(request: AuthenticatedHttpRequest, achievement_id: UUID) -> HttpResponse:
    """Step one: who would get a credential, who already has one, who cannot and why."""
    achievement = achievement_for_page(request, achievement_id)
    forms = issue_forms(achievement, request.POST, request.FILES)
    mode = request.POST.get("mode")
    form = {"one": forms["one_form"], "offering": forms["offering_form"]}.get(
        mode or "", forms["csv_form"]
    )
    preview = None
    status = 200
    if form.is_bound and form.is_valid():
        preview, status = _preview_of_form(request, achievement, mode=mode, form=form)
    if preview is None:
        response = achievement_page_render(request, achievement, forms)
        response.status_code = status
        return response
    source = {"one": IssuanceBatch.Source.SINGLE, "offering": IssuanceBatch.Source.OFFERING}.get(
        mode or "", IssuanceBatch.Source.CSV
    )
    if source != IssuanceBatch.Source.OFFERING:
        lookups.contacts_lookup_audit(
            actor=request.user, achievement=achievement, source=source, preview=preview
        )
    offering_id = form.cleaned_data["offering"] if mode == "offering" else None
    plan = _plan_signed(
        request, achievement=achievement, source=source, offering_id=offering_id, preview=preview
    )
    return _preview_page(request, achievement, preview, plan)


def _preview_of_form(
    request: AuthenticatedHttpRequest, achievement: Achievement, *, mode: str | None, form: Form
) -> tuple[previews.Preview | None, int]:
    """(the preview, 200) from the valid form of `mode` (one, offering, else a file), or
    (None, the page's status) with the refusal said on the form."""
    try:
        if mode == "one":
            return _preview_of_one(request, achievement, form=form), 200
        if mode == "offering":
            preview = previews.preview_offering(
                achievement=achievement, offering_id=form.cleaned_data["offering"]
            )
            return preview, 200
        return _preview_of_file(request, achievement, form=form), 200
    except ValidationError as error:
        form_error_add(form, error)
    except NotFound as error:
        # A class out of the achievement's scope (the form's choices already keep it out).
        form.add_error("offering" if "offering" in form.fields else None, str(error.message))
    except lookups.TooManyLookups as error:
        form.add_error(None, str(error.message))
        return None, error.http_status
    return None, 200


def _preview_of_one(
    request: AuthenticatedHttpRequest, achievement: Achievement, *, form: Form
) -> previews.Preview | None:
    """One learner by a contact (a look-up counted), in the class chosen or none; None, with
    the reason on the contact field, for a contact that is not a valid e-mail or phone."""
    offering_id = form.cleaned_data["offering"]
    previews.offerings_check(achievement=achievement, offering_ids={offering_id})
    lookups.contacts_lookup_start(actor=request.user, count=1)
    preview = previews.preview_contacts(
        achievement=achievement,
        rows=[(1, form.cleaned_data["contact"].strip(), offering_id)],
    )
    (row,) = preview.rows
    if row.outcome == previews.Outcome.INVALID_CONTACT:
        # A typing mistake: said on the field, where it is fixed.
        form.add_error("contact", row.label)
        return None
    return preview


def _preview_of_file(
    request: AuthenticatedHttpRequest, achievement: Achievement, *, form: Form
) -> previews.Preview:
    """The rows of the uploaded file (each a look-up counted)."""
    upload = form.cleaned_data["file"]
    rows = lookups.file_rows(
        upload.read(lookups.CSV_MAX_BYTES + 1),
        file_name=upload.name or "",
        content_type=upload.content_type or "",
    )
    # Another organization's class is named by its line, before anyone is looked up.
    previews.file_rows_check(achievement=achievement, rows=rows)
    lookups.contacts_lookup_start(actor=request.user, count=len(rows))
    return previews.preview_contacts(achievement=achievement, rows=rows)


def _plan_signed(
    request: AuthenticatedHttpRequest,
    *,
    achievement: Achievement,
    source: str,
    offering_id: UUID | None,
    preview: previews.Preview,
) -> str:
    """The preview's decisions, signed for the confirmation (PLAN_SALT; bound to the
    administrator and the achievement; issue_confirm takes it for PLAN_MAX_AGE seconds)."""
    return signing.dumps(
        {
            "a": str(achievement.public_id),
            "u": request.user.pk,
            "s": source,
            "o": str(offering_id) if offering_id else None,
            # Each preview its own plan (two in one second too): confirming it twice is a
            # replay (issue_confirm), previewing again is a new request.
            "n": secrets.token_urlsafe(16),
            "r": [
                [row.learner_id, str(row.offering_id) if row.offering_id else None]
                for row in preview.to_issue
            ],
            # The rows as shown (masked names for people found by a contact), to show them
            # again when the confirmation is refused.
            "p": [
                [
                    row.line,
                    row.contact,
                    row.outcome,
                    row.learner_id,
                    row.name,
                    str(row.offering_id) if row.offering_id else None,
                    row.message,
                    row.is_tied,
                ]
                for row in preview.rows
            ],
        },
        salt=PLAN_SALT,
        compress=True,
    )


def _preview_page(
    request: AuthenticatedHttpRequest,
    achievement: Achievement,
    preview: previews.Preview,
    plan: str,
    confirm_form: IssueConfirmForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "credentials/issuer/preview.html",
        {
            "achievement": achievement,
            "preview": preview,
            "plan": plan,
            "counts": {
                label: preview.count(outcome) for outcome, label in previews.OUTCOME_LABELS.items()
            },
            "confirm_form": confirm_form
            or IssueConfirmForm(
                needs_reason=preview.needs_reason,
                untied_count=preview.untied_count,
                auto_id="id_confirm_%s",
            ),
        },
    )


def _preview_from_plan(plan: dict[str, Any]) -> previews.Preview:
    """The preview as it was shown, from its signed plan."""
    return previews.Preview(
        rows=[
            previews.PreviewRow(
                line,
                contact,
                outcome,
                learner_id=learner_id,
                name=name,
                offering_id=UUID(offering) if offering else None,
                message=message,
                is_tied=is_tied,
            )
            for line, contact, outcome, learner_id, name, offering, message, is_tied in plan["p"]
        ]
    )


@staff_view
@require_POST
def issue_confirm(request: AuthenticatedHttpRequest, achievement_id: UUID) -> HttpResponse:
    """Step two: the batch, from the signed plan of the preview, with the written reason (and
    its confirmation) when someone is issued without a class. A refused reason or a missing
    confirmation shows the preview again with the error on its field; nothing is written. A
    plan confirmed before leads to the batch it made, with a message: one plan, one batch."""
    achievement = achievement_for_page(request, achievement_id)
    try:
        plan = signing.loads(request.POST.get("plan", ""), salt=PLAN_SALT, max_age=PLAN_MAX_AGE)
        preview = _preview_from_plan(plan)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        # A plan of an older form (no rows to show again) is made again too.
        messages.error(request, _("Bản xem trước đã quá một giờ hoặc không hợp lệ; hãy làm lại."))
        return redirect("issuer_achievement", achievement_id=achievement.public_id)
    if plan.get("a") != str(achievement.public_id) or plan.get("u") != request.user.pk:
        raise Http404
    form = IssueConfirmForm(
        request.POST,
        needs_reason=preview.needs_reason,
        untied_count=preview.untied_count,
        auto_id="id_confirm_%s",
    )
    if not form.is_valid():
        return _preview_page(
            request, achievement, preview, plan=request.POST["plan"], confirm_form=form
        )
    try:
        batch = batches.batch_create(
            actor=request.user,
            achievement=achievement,
            source=plan["s"],
            offering_id=UUID(plan["o"]) if plan.get("o") else None,
            rows=[
                (int(learner_id), UUID(offering) if offering else None)
                for learner_id, offering in plan["r"]
            ],
            reason=form.cleaned_data.get("reason") or "",
            reason_confirmed=bool(form.cleaned_data.get("confirm_reason")),
            # The same signed plan confirmed twice (a second click, the back button, a
            # replayed form) finds the batch it made.
            request_digest=batches.request_digest("issue-plan", request.POST["plan"]),
        )
    except batches.BatchAlreadyRequested as replay:
        messages.info(request, str(replay.message))
        return redirect("issuer_batch", batch_id=replay.batch.public_id)
    except NotPermitted as error:
        raise PermissionDenied from error
    except (batches.ReasonRequired, batches.NoTieToOrganization) as error:
        # Said on its field; the form shows both fields (a tie may have gone since the preview).
        form = IssueConfirmForm(
            request.POST,
            needs_reason=True,
            untied_count=max(preview.untied_count, getattr(error, "count", 0)),
            auto_id="id_confirm_%s",
        )
        form.is_valid()
        field = "reason" if isinstance(error, batches.ReasonRequired) else "confirm_reason"
        form.add_error(field, str(error.message))
        return _preview_page(
            request, achievement, preview, plan=request.POST["plan"], confirm_form=form
        )
    except (ValidationError, DomainError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("issuer_achievement", achievement_id=achievement.public_id)
    return redirect("issuer_batch", batch_id=batch.public_id)


@staff_view
def batch_detail(request: AuthenticatedHttpRequest, batch_id: UUID) -> HttpResponse:
    """Progress of a batch; reloads itself every few seconds while requests are pending (no
    JavaScript needed)."""
    batch = page_object_get(selectors.batch_for_issuer, actor=request.user, batch_id=batch_id)
    progress = pipeline.batch_progress(batch)
    # Refusals first: they are what the administrator must act on.
    rows = selectors.batch_issuances(batch=batch, limit=BATCH_ROWS_SHOWN)
    done = progress["total"] - progress[Issuance.Status.PENDING]
    return render(
        request,
        "credentials/issuer/batch.html",
        {
            "batch": batch,
            "progress": progress,
            "done": done,
            "percent": round(100 * done / progress["total"]) if progress["total"] else 100,
            "rows": rows,
            "more": max(progress["total"] - BATCH_ROWS_SHOWN, 0),
            "refresh": progress[Issuance.Status.PENDING] > 0,
        },
    )
