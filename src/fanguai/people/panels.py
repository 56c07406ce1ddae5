from .models import Person
from .selectors import visible_people


def recent_people(user) -> dict:
    """The home-page panel: the newest records the user may see, and how many await identification."""
    people = visible_people(user)
    return {
        "recent": people[:5],
        "unknown_count": people.filter(identity_status=Person.IdentityStatus.UNKNOWN).count(),
    }
