"""The one pagination of the API: ninja's page-number pagination with bounded inputs.

ninja's own ``PageNumberPagination`` accepts any page number: ``page=9223372036854775808`` became an offset
the database driver cannot bind (a server error on every list). Here both the page and the page size are
bounded in the schema, so such a request gets a documented 422."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 10**6


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="The page, from 1.")
    page_size: int | None = Field(
        None,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Rows per page (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
    )


class Pagination(PageNumberPagination):
    Input = PageQuery

    def __init__(self, page_size: int = PAGE_SIZE, max_page_size: int = MAX_PAGE_SIZE, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)
