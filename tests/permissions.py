"""The permission-matrix harness every app extends. A row names a URL (built from the objects of a
scenario), the method, the users who may use it and a text that must never reach anyone else. For each of
the cast (alice, bob, charlie, dave, office and anonymous) the harness checks: allowed users get 200 (or a
redirect after a POST), everyone else gets 403 or 404 (anonymous: a redirect to the login page or 401 for the
API) and the secret text is nowhere in the response."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client

CAST = ("alice", "bob", "charlie", "dave", "office", "anonymous")


@dataclass(frozen=True)
class Row:
    name: str
    url: Callable[[dict], str]
    allowed: frozenset[str]
    method: str = "get"
    data: Callable[[dict], dict] = field(default=lambda scenario: {})
    secret: Callable[[dict], str] | None = None


def check_row(row: Row, scenario: dict, users: dict) -> None:
    url = row.url(scenario)
    secret = row.secret(scenario) if row.secret else None
    for who in CAST:
        client = Client()
        if who != "anonymous":
            client.force_login(users[who])
        response = getattr(client, row.method)(url, row.data(scenario))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Type", "").startswith("application/json"):
            # JSON escapes non-ASCII text (\uXXXX): compare the decoded document, or a Chinese secret hides
            body = json.dumps(json.loads(body), ensure_ascii=False).encode()
        if who in row.allowed:
            assert response.status_code in (200, 302), (
                f"{row.name}: {who} should be allowed, got {response.status_code}"
            )
            continue
        if who == "anonymous":
            if url.startswith("/api/"):
                assert response.status_code == 401, f"{row.name}: anonymous got {response.status_code}"
            else:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                    f"{row.name}: anonymous got {response.status_code}"
                )
        else:
            assert response.status_code in (403, 404), f"{row.name}: {who} got {response.status_code}"
        if secret:
            assert secret.encode() not in body, f"{row.name}: {who} saw the secret"
