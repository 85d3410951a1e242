"""Achievement and credential models arrive with the credentials issue (#6)."""
