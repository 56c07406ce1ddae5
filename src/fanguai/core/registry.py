"""Extension points for the layout: each app registers its navigation entries and the panels of the home
page (the user's work queue) in its AppConfig.ready, so the core never imports the mechanism apps."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Menus of the navigation bar; an entry without a group stands on the bar itself.
NAV_GROUPS = {
    "plan": _("Plan and supervision"),
    "cases": _("Clues and cases"),
    "care": _("People and care"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100
    template: str = ""  # optional partial that renders the entry itself (e.g. with a badge)
    group: str = ""  # a key of NAV_GROUPS


@dataclass(frozen=True)
class HomePanel:
    """`context(user)` returns the panel's template context, or None to hide the panel for this user."""

    template: str
    context: Callable[[object], dict | None]
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100


_nav: list[NavItem] = []
_panels: list[HomePanel] = []


def add_nav(
    label: str, url_name: str, roles: Iterable[str], order: int = 100, template: str = "", group: str = ""
) -> None:
    if group and group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {group!r}")
    _nav.append(NavItem(label, url_name, frozenset(roles), order, template, group))


def add_home_panel(
    template: str, context: Callable[[object], dict | None], roles: Iterable[str] = (), order: int = 100
) -> None:
    _panels.append(HomePanel(template, context, frozenset(roles), order))


def nav_for(user) -> list[NavItem]:
    return sorted((i for i in _nav if user.role in i.roles), key=lambda i: i.order)


@dataclass(frozen=True)
class NavMenu:
    label: str
    items: list[NavItem]


def menu_for(user) -> list[NavItem | NavMenu]:
    """The user's entries, those of a group gathered into one menu where the group has more than one."""
    items = nav_for(user)
    entries: list[NavItem | NavMenu] = []
    placed: set[str] = set()
    for item in items:
        if not item.group:
            entries.append(item)
        elif item.group not in placed:
            placed.add(item.group)
            members = [i for i in items if i.group == item.group]
            entries.append(NavMenu(NAV_GROUPS[item.group], members) if len(members) > 1 else item)
    return entries


def panels_for(user) -> list[tuple[str, dict]]:
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if panel.roles and user.role not in panel.roles:
            continue
        context = panel.context(user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
