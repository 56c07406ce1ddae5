"""The kinds of deadline. Each module registers its kinds in AppConfig.ready:

    register_kind("clues.acknowledge", label=_("Acknowledge a transferred clue"),
                  escalate_to_roles=[Role.OFFICE_STAFF], on_late=mark_overdue)

`on_warning(deadline)` and `on_late(deadline)` run inside the sweep's transaction, after the notices were
written; an error in one is logged and audited and does not stop the sweep. `notify_roles` limits which
users of the responsible unit are told (None: all of them). `link(deadline)` gives the address the notice
points to (default: the target's get_absolute_url, else the deadlines page).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse

Hook = Callable[[object], None]


@dataclass(frozen=True)
class DeadlineKind:
    kind: str
    label: object
    on_warning: Hook | None = None
    on_late: Hook | None = None
    escalate_to_roles: tuple[str, ...] = ()
    notify_roles: tuple[str, ...] | None = None
    link: Callable[[object], str] | None = None
    extra: dict = field(default_factory=dict)


_kinds: dict[str, DeadlineKind] = {}


def register_kind(
    kind: str,
    *,
    label,
    on_warning: Hook | None = None,
    on_late: Hook | None = None,
    escalate_to_roles: Iterable[str] = (),
    notify_roles: Iterable[str] | None = None,
    link: Callable[[object], str] | None = None,
) -> DeadlineKind:
    """Register (or replace, so that a reload is harmless) the rule for one kind of deadline."""
    if not kind or len(kind) > 64:
        raise ValueError("a deadline kind is a non-empty string of at most 64 characters")
    registered = DeadlineKind(
        kind=kind,
        label=label,
        on_warning=on_warning,
        on_late=on_late,
        escalate_to_roles=tuple(str(r) for r in escalate_to_roles),
        notify_roles=tuple(str(r) for r in notify_roles) if notify_roles is not None else None,
        link=link,
    )
    _kinds[kind] = registered
    return registered


def get_kind(kind: str) -> DeadlineKind:
    try:
        return _kinds[kind]
    except KeyError as exc:
        raise LookupError(f"deadline kind {kind!r} is not registered") from exc


def is_registered(kind: str) -> bool:
    return kind in _kinds


def registered_kinds() -> list[DeadlineKind]:
    return sorted(_kinds.values(), key=lambda k: k.kind)


def label_for(kind: str):
    """The kind's label; a kind whose module was removed still shows its code rather than failing."""
    registered = _kinds.get(kind)
    return registered.label if registered else kind


def link_for(deadline) -> str:
    registered = _kinds.get(deadline.kind)
    if registered and registered.link:
        return registered.link(deadline)
    target = deadline.target
    if target is not None and hasattr(target, "get_absolute_url"):
        try:
            return target.get_absolute_url()
        except Exception:  # noqa: S110  a target without a page falls back to the deadlines page
            pass
    return reverse("deadlines:list")
