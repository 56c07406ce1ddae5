"""What other modules show on a clue's page: the records a clue is linked to (cases…), the actions that
start one from the clue ("open a case from this clue") and the forms that link the clue to one ("link to a
case": posted to the other module's own route, which checks and writes through its own services). Apps register a provider in AppConfig.ready, so the
clues module never imports them; each provider answers only what its own policies let the user see."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkedRecord:
    kind: str  # what the record is ("案件"), translated
    label: str
    url: str


@dataclass(frozen=True)
class ClueAction:
    label: str
    url: str


@dataclass(frozen=True)
class ClueForm:
    """A form shown on the clue's page (rendered with partials/form.html), posted to `url`."""

    title: str
    url: str
    form: object
    button: str


_linked: list[Callable[[object, object], list[LinkedRecord]]] = []
_actions: list[Callable[[object, object], ClueAction | None]] = []
_forms: list[Callable[[object, object], ClueForm | None]] = []


def add_linked_records(provider: Callable[[object, object], list[LinkedRecord]]) -> None:
    """`provider(user, clue)` returns the records linked to the clue that the user may see."""
    _linked.append(provider)


def add_clue_action(provider: Callable[[object, object], ClueAction | None]) -> None:
    """`provider(user, clue)` returns an action the user may take from the clue, or None."""
    _actions.append(provider)


def add_clue_form(provider: Callable[[object, object], ClueForm | None]) -> None:
    """`provider(user, clue)` returns a form the user may fill in on the clue's page, or None."""
    _forms.append(provider)


def linked_records(user, clue) -> list[LinkedRecord]:
    return [record for provider in _linked for record in provider(user, clue)]


def clue_actions(user, clue) -> list[ClueAction]:
    return [action for provider in _actions if (action := provider(user, clue)) is not None]


def clue_forms(user, clue) -> list[ClueForm]:
    return [form for provider in _forms if (form := provider(user, clue)) is not None]
