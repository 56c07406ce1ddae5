from django.conf import settings
from django.utils import translation
from django_tasks import task

from .services import check_all_listings


@task()
def check_listing_warnings() -> dict:
    """The periodic yellow/red check of listings (besides the deadline sweep's hooks): a listing can fall
    quiet after its warning time has passed, which no deadline notices."""
    with translation.override(settings.LANGUAGE_CODE):
        return {"warnings": check_all_listings()}
