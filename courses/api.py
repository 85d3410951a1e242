"""The only module of `courses` that other apps import (with `data.py`).

`credentials` will ask here for completions that have no credential yet (DESIGN.md).
"""

from profiles import api as profiles_api


def provider_may_publish(*, user_id: int, organization_id: int) -> bool:
    """May this person publish courses for this organization? (managers only)."""
    return profiles_api.person_may_act_for_organization(
        user_id=user_id, organization_id=organization_id, roles={"manager"}
    )
