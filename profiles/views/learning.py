"""My learning: the timeline, self-reported learning, goals, evidence and the public profile."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnprofile.absolute_urls import absolute_url
from learnprofile.access import citizen_view, public_view
from learnprofile.errors import DomainError
from learnprofile.forms import form_error_add
from profiles import permissions, selectors, services
from profiles.api import AuthenticatedHttpRequest
from profiles.data import LearningCategory
from profiles.learning_forms import (
    GoalsForm,
    LearningFilterForm,
    PublicProfileForm,
    SelfReportForm,
)
from profiles.models import ConsentRecord, EvidenceFile, LearningRecord, PublicProfile
from profiles.services import learning
from profiles.services.privacy.public_profile import public_profile_new_link, public_profile_update
from profiles.timeline import timeline_items

# 50 rows (about 25 KiB of HTML) keep a page quick on a cheap phone over 3G.
TIMELINE_PAGE_SIZE = 50


@citizen_view
def my_learning(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The timeline by year with totals and filters, in a fixed number of queries whatever
    the size of the ledger (pinned by a test)."""
    user = request.user
    profile = services.citizen_profile_ensure(user=user)
    years = selectors.learning_years_of(user=user)
    filters = LearningFilterForm(request.GET or None, years=years)
    year = category = None
    if filters.is_valid():
        year = filters.cleaned_data["year"]
        category = filters.cleaned_data["category"] or None
    records = selectors.learning_records_of(user=user, year=year, category=category)
    totals = selectors.learning_totals(user_id=user.pk)
    paginator = Paginator(records, TIMELINE_PAGE_SIZE)
    if year is None and category is None:
        paginator.count = totals.all_records  # known: saves a COUNT
    page = paginator.get_page(request.GET.get("page"))
    goal_percent = None
    if profile.yearly_hours_goal:
        goal_percent = min(100, int(totals.hours_this_year * 100 / profile.yearly_hours_goal))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "profiles/learning/my_learning.html",
        {
            "profile": profile,
            "filters": filters,
            "page": page,
            "items": timeline_items(page.object_list),
            "totals": totals,
            "goal_percent": goal_percent,
            "interest_labels": [
                LearningCategory(value).label for value in profile.learning_interests
            ],
            "filter_query": query.urlencode(),
            "is_filtered": bool(year or category),
        },
    )


@citizen_view
def learning_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    organizations = selectors.verifier_organizations_for(user=user)
    if request.method == "POST":
        form = SelfReportForm(request.POST, request.FILES, organizations=organizations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = learning.learning_record_self_report(
                    actor=user,
                    title=data["title"],
                    category=data["category"],
                    hours=data["hours"],
                    started_on=data["started_on"],
                    ended_on=data["ended_on"],
                    provider_name=data["provider_name"],
                    description=data["description"],
                    url=data["url"],
                    verifier_organization=data["verifier_organization"],
                    evidence=data["evidence"],
                )
            except (ValidationError, DomainError) as error:
                form_error_add(form, error)
            else:
                messages.success(request, _("Đã thêm vào hồ sơ học tập của bạn."))
                return redirect("learning_record", record_id=record.public_id)
    else:
        form = SelfReportForm(organizations=organizations)
    return render(request, "profiles/learning/add.html", {"form": form})


@citizen_view
def learning_record(request: AuthenticatedHttpRequest, record_id: UUID) -> HttpResponse:
    record = get_object_or_404(
        LearningRecord.objects.select_related("provider_organization", "verifier_organization"),
        public_id=record_id,
        citizen=request.user,
    )
    return render(
        request,
        "profiles/learning/record.html",
        {"record": record, "items": timeline_items([record]), "evidence": record.evidence.all()},
    )


@citizen_view
@require_POST
def learning_record_withdraw(request: AuthenticatedHttpRequest, record_id: UUID) -> HttpResponse:
    user = request.user
    try:
        learning.learning_record_withdraw(actor=user, record_id=record_id)
    except DomainError as error:
        raise Http404 from error
    messages.success(request, _("Đã rút bản ghi khỏi hồ sơ. Lịch sử vẫn được lưu lại."))
    return redirect("learning_record", record_id=record_id)


@citizen_view
def evidence_download(request: AuthenticatedHttpRequest, evidence_id: UUID) -> FileResponse:
    """Only the owner and the staff asked to verify the record; anyone else gets 404."""
    evidence = EvidenceFile.objects.select_related("record").filter(public_id=evidence_id).first()
    if evidence is None or not permissions.may_download_evidence(request.user, evidence):
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@citizen_view
def learning_goals(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    profile = services.citizen_profile_ensure(user=user)
    if request.method == "POST":
        form = GoalsForm(request.POST)
        if form.is_valid():
            try:
                learning.learning_goals_update(
                    actor=user,
                    profile=profile,
                    interests=form.cleaned_data["learning_interests"],
                    yearly_hours_goal=form.cleaned_data["yearly_hours_goal"],
                )
            except ValidationError as error:
                form_error_add(form, error)
            else:
                messages.success(request, _("Đã lưu mục tiêu học tập."))
                return redirect("my_learning")
    else:
        form = GoalsForm(
            initial={
                "learning_interests": profile.learning_interests,
                "yearly_hours_goal": profile.yearly_hours_goal,
            }
        )
    return render(request, "profiles/learning/goals.html", {"form": form})


@citizen_view
def public_profile_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    public_profile = PublicProfile.objects.filter(user=user).first()
    publishable = (
        LearningRecord.objects.filter(citizen=user, revoked_at__isnull=True)
        .exclude(verification_status=LearningRecord.Verification.REJECTED)
        .order_by("-occurred_on", "-id")
    )
    if request.method == "POST" and "new_link" in request.POST:
        public_profile_new_link(actor=user)
        messages.success(request, _("Đã tạo đường dẫn mới. Đường dẫn cũ không còn dùng được."))
        return redirect("public_profile_settings")
    if request.method == "POST":
        form = PublicProfileForm(request.POST, records=publishable)
        if form.is_valid():
            data = form.cleaned_data
            try:
                public_profile_update(
                    actor=user,
                    is_enabled=data["is_enabled"],
                    display_name=data["display_name"],
                    headline=data["headline"],
                )
                learning.learning_records_publish(
                    actor=user, public_record_ids={record.public_id for record in data["records"]}
                )
            except (ValidationError, DomainError) as error:
                form_error_add(form, error)
            else:
                messages.success(request, _("Đã lưu hồ sơ công khai."))
                return redirect("public_profile_settings")
    else:
        profile = getattr(user, "citizen_profile", None)
        form = PublicProfileForm(
            initial={
                "is_enabled": public_profile is not None and public_profile.is_enabled,
                "display_name": public_profile.display_name
                if public_profile is not None
                else (profile.full_name if profile is not None else ""),
                "headline": public_profile.headline if public_profile is not None else "",
                "records": [record.public_id for record in publishable if record.is_public],
            },
            records=publishable,
        )
    return render(
        request,
        "profiles/learning/public_settings.html",
        {
            "form": form,
            "public_profile": public_profile,
            "public_url": absolute_url("public_profile", args=[public_profile.slug])
            if public_profile is not None
            else "",
        },
    )


@public_view
def public_profile(request: HttpRequest, slug: str) -> HttpResponse:
    """The shareable page: only when switched on and consented to, only chosen records."""
    public = PublicProfile.objects.filter(slug=slug, is_enabled=True).first()
    if public is None or not selectors.users_consenting(
        user_ids=[public.user_id], purpose=ConsentRecord.Purpose.PUBLIC_PROFILE
    ):
        raise Http404
    records = selectors.public_records_of(user_id=public.user_id)
    response = render(
        request,
        "profiles/learning/public_profile.html",
        {"public": public, "items": timeline_items(records)},
    )
    response["X-Robots-Tag"] = "noindex"
    return response
