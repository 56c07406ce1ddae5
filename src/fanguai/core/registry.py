"""Extension points for the layout: each app registers its navigation entries and the panels of the home
page (the user's work queue) in its AppConfig.ready, so the core never imports the mechanism apps."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100
    template: str = ""  # optional partial that renders the entry itself (e.g. with a badge)


@dataclass(frozen=True)
class HomePanel:
    """`context(user)` returns the panel's template context, or None to hide the panel for this user."""

    template: str
    context: Callable[[object], dict | None]
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in user
    order: int = 100


_nav: list[NavItem] = []
_panels: list[HomePanel] = []


def add_nav(label: str, url_name: str, roles: Iterable[str], order: int = 100, template: str = "") -> None:
    _nav.append(NavItem(label, url_name, frozenset(roles), order, template))


def add_home_panel(
    template: str, context: Callable[[object], dict | None], roles: Iterable[str] = (), order: int = 100
) -> None:
    _panels.append(HomePanel(template, context, frozenset(roles), order))


def nav_for(user) -> list[NavItem]:
    return sorted((i for i in _nav if user.role in i.roles), key=lambda i: i.order)


def panels_for(user) -> list[tuple[str, dict]]:
    shown = []
    for panel in sorted(_panels, key=lambda p: p.order):
        if panel.roles and user.role not in panel.roles:
            continue
        context = panel.context(user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
