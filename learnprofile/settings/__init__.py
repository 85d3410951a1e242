"""Split settings: base (shared), local (developer machine), production, test. base.py takes
two groups whole from modules of their own: accounts (signing in) and notices (the outbox and
its channels); an environment's module imports base and overrides what differs."""
