from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from fanguai.audit.services import record_event
from fanguai.people import selectors

from ..schemas import PersonOut

router = Router(tags=["people"])


@router.get("", response=list[PersonOut])
@paginate(PageNumberPagination, page_size=50)
def list_people(request, q: str = "", identity_status: str = ""):
    """Persons the caller may see (exact-match search on name, ID card number, phone or record number)."""
    record_event("person.list", actor=request.auth, object_type="people.person", details={"api": True})
    return selectors.visible_people(request.auth, query=q, identity_status=identity_status)


@router.get("/{person_id}", response=PersonOut)
def get_person(request, person_id: int):
    return selectors.person_for_view(request.auth, person_id)
