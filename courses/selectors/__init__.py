"""Reads of the courses app, by area: the catalog and its pages (`catalog`), the catalog
search (`search`) and its planner (`search_planner`), enrollments, attendance, and the
completions courses.api returns. Callers import from `courses.selectors`."""

from courses.selectors.attendance import (
    AttendanceSummary,
    RosterRow,
    attendance_summaries,
    offering_attendance,
    session_roster,
    session_seat_ids,
    staff_sessions,
)
from courses.selectors.catalog import (
    CatalogFilters,
    Place,
    course_get,
    course_upcoming_offerings,
    courses_of_organizations,
    current_offerings_of_organizations,
    offering_get,
    offering_is_listed,
    offerings_named,
    open_offerings_near,
    today,
)
from courses.selectors.completions import completion_data, completions_of_enrollments
from courses.selectors.enrollments import (
    enrollments_of_learner,
    learner_is_enrolled_at,
    open_enrollments_by_offering,
    roster,
    sessions_of,
    waitlist_positions,
)
from courses.selectors.search import (
    CATALOG_MAX_RESULTS,
    CATALOG_PAGE_SIZE,
    SORT_NEAR,
    SORT_RELEVANCE,
    SORT_SOON,
    SORTS,
    CatalogPage,
    catalog_search,
)

__all__ = [
    "CATALOG_MAX_RESULTS",
    "CATALOG_PAGE_SIZE",
    "SORTS",
    "SORT_NEAR",
    "SORT_RELEVANCE",
    "SORT_SOON",
    "AttendanceSummary",
    "CatalogFilters",
    "CatalogPage",
    "Place",
    "RosterRow",
    "attendance_summaries",
    "catalog_search",
    "completion_data",
    "completions_of_enrollments",
    "course_get",
    "course_upcoming_offerings",
    "courses_of_organizations",
    "current_offerings_of_organizations",
    "enrollments_of_learner",
    "learner_is_enrolled_at",
    "offering_attendance",
    "offering_get",
    "offering_is_listed",
    "offerings_named",
    "open_enrollments_by_offering",
    "open_offerings_near",
    "roster",
    "session_roster",
    "session_seat_ids",
    "sessions_of",
    "staff_sessions",
    "today",
    "waitlist_positions",
]
