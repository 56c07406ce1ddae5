import json
import os
from pathlib import Path

from fanguai.api.urls import api

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_schema_matches_the_snapshot(db):
    """The schema is a contract: a change to it is deliberate (UPDATE_SNAPSHOTS=1 rewrites the file)."""
    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), sort_keys=True, default=str))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert schema == json.loads(SNAPSHOT.read_text())


def test_openapi_is_served(alice, login):
    response = login(alice).get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/people" in response.json()["paths"]


def test_api_regions_and_units(alice, login):
    client = login(alice)
    counties = client.get("/api/regions", {"level": "county"}).json()
    assert len(counties) == 7
    units = client.get("/api/units", {"sector": "police", "region": "341522"}).json()
    assert [u["name"] for u in units] == ["霍邱县公安局"]
