"""Catalog, enrollment and attendance models arrive with the catalog issue (#4)."""
