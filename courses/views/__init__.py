"""HTML views of courses: `catalog` (citizens) and `manage` (a center's managers and staff)."""
