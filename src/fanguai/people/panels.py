from fanguai.core.pagination import COUNT_LIMIT
from fanguai.core.queries import total_of

from .models import Person
from .selectors import visible_people


def recent_people(user) -> dict:
    """The home-page panel: the newest records the user may see, and how many await identification."""
    people = visible_people(user)
    # The newest five each carry the number of all visible records of unknown identity: one query, not two.
    # With no visible record there is none of unknown identity either.
    unknown = people.filter(identity_status=Person.IdentityStatus.UNKNOWN)
    recent = list(people.annotate(unknown_total=total_of(unknown, limit=COUNT_LIMIT))[:5])
    return {"recent": recent, "unknown_count": recent[0].unknown_total if recent else 0}
