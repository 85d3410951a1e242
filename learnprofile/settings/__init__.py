"""Split settings: base (shared), local (developer machine), production, test."""
