from ninja import Router
from ninja.pagination import paginate

from fanguai.audit.services import record_event
from fanguai.people import selectors

from ..pagination import Pagination
from ..schemas import PersonOut, RecordId, Text

router = Router(tags=["people"])


@router.get("", response=list[PersonOut])
@paginate(Pagination)
def list_people(request, q: Text = "", identity_status: Text = ""):
    """Persons the caller may see (exact-match search on name, ID card number, phone or record number)."""
    record_event("person.list", actor=request.auth, object_type="people.person", details={"api": True})
    return selectors.visible_people(request.auth, query=q, identity_status=identity_status)


@router.get("/{person_id}", response=PersonOut)
def get_person(request, person_id: RecordId):
    return selectors.person_for_view(request.auth, person_id)
