"""Submitting a public report the way the browser does."""

import re

from django.test import Client

from fanguai.clues import abuse


def report_data(**overrides) -> dict:
    data = {
        "category": "missing_child",
        "description": "在集市上看到一个哭泣的男孩",
        "place_detail": "",
        "region": "",
        "occurred_at": "",
        "latitude": "",
        "longitude": "",
        "contact_name": "",
        "contact_phone": "",
        "website": "",
        "started": abuse.new_form_token(),
    }
    data.update(overrides)
    return data


def submit(client: Client | None = None, **overrides):
    """Post a public report; returns (response, receipt code or None)."""
    client = client or Client()
    response = client.post("/report/", report_data(**overrides))
    match = re.search(rb'data-code="(\d{16})"', response.content)
    return response, match.group(1).decode() if match else None


def open_with_code(code: str, client: Client | None = None) -> Client:
    client = client or Client()
    client.post("/report/follow-up/", {"code": code})
    return client
