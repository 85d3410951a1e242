"""The citizen's data rights: consent, the public profile, export and erasure.

Law 91/2025/QH15 on personal data protection and Decree 356/2025: consent is recorded per
purpose with the notice version and is withdrawn as easily as given; a request is
acknowledged within 2 working days (here at once, by email, when it is recorded) and tracked
until done. Exports and erasure run as durable jobs.

Modules: `consent`, `public_profile`, `data_requests` (deadlines, the acknowledgement
email, the beat sweep), `export` and `erasure`.
"""
