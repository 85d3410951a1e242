"""Writes of courses: `catalog` (courses, offerings, sessions, CSV import) and `enrollment`
(enroll, cancel, waitlist, offering cancellation)."""
