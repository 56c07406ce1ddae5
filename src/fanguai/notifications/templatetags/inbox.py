from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    """The signed-in user's unread notifications, counted while the page is drawn: the badge shows at once,
    without a second request from every page that is opened."""
    request = context.get("request")
    return selectors.unread_count(request.user) if request is not None else 0
