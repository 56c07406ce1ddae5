"""The public pages: reporting without an account, the receipt code, follow-up, and the abuse guards."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from fanguai.audit.models import AuditEvent
from fanguai.clues import abuse, selectors, services
from fanguai.clues.models import Clue, ClueEvent
from fanguai.files.models import StoredFile
from fanguai.org.models import Region

from .helpers import open_with_code, report_data, submit

pytestmark = pytest.mark.django_db


def test_the_form_is_open_to_anyone_and_shows_no_staff_pages():
    response = Client().get("/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="website"' in html and 'name="started"' in html
    assert "/accounts/logout" not in html and "/clues/" not in html
    assert "<script" not in html  # works without JavaScript
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_cached_empty_form_follows_the_language_and_a_refused_form_shows_its_errors():
    for _ in range(2):  # the second answer of each language comes from the cache
        assert "举报事项类别" in Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/report/").content.decode()
        assert "What is it about?" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/report/").content.decode()
    response = Client().post("/report/", report_data(description=""))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode() or "is-invalid" in response.content.decode()
    assert not Clue.objects.exists()


def test_a_report_is_stored_once_with_a_receipt_code_kept_only_as_a_keyed_hash():
    township = Region.objects.filter(level="township", parent__code="341522").first()
    response, code = submit(region=str(township.pk), description="秘密的线索内容")
    assert response.status_code == 200 and code is not None
    clue = Clue.objects.get()
    assert clue.source == "public" and clue.county.code == "341522" and clue.reporter is None
    assert len(clue.receipt_digest) == 64 and code not in clue.receipt_digest
    assert clue.receipt_hash == "" and clue.receipt_lookup == ""
    # Nothing in the database holds the code in clear.
    for event in AuditEvent.objects.all():
        assert code not in str(event.details)
    assert clue.events.get().kind == ClueEvent.Kind.RECEIVED
    assert AuditEvent.objects.filter(action="clue.create", object_id=str(clue.pk)).exists()


def test_the_triagers_hear_of_a_public_report_once_it_is_stored(
    office, alice, django_capture_on_commit_callbacks
):
    from fanguai.notifications.models import Notification

    township = Region.objects.filter(level="township", parent__code="341522").first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response, code = submit(region=str(township.pk))
    assert response.status_code == 200 and code is not None
    # The reporter's answer did not wait for the fan-out: nobody is told before the commit.
    assert not Notification.objects.filter(kind="clue.new").exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the commit enqueues the announcement; the tests' task backend runs it at once
    clue = Clue.objects.get()
    for user in (office, alice):  # the office, and the police investigators of the county
        notification = Notification.objects.get(recipient=user, kind="clue.new")
        assert clue.number in notification.subject and notification.link == f"/clues/{clue.pk}/"


def test_a_form_sent_twice_is_stored_once():
    data = report_data()
    first = Client().post("/report/", data)
    second = Client().post("/report/", data)
    assert first.status_code == 200 and second.status_code == 200
    assert Clue.objects.count() == 1
    assert b"already received" in second.content


def test_the_receipt_code_opens_its_own_report_only():
    _, code_a = submit(description="报告甲的内容")
    _, code_b = submit(description="报告乙的内容")
    page = open_with_code(code_a).get("/report/follow-up/report/")
    assert "报告甲的内容" in page.content.decode() and "报告乙的内容" not in page.content.decode()
    page = open_with_code(code_b.replace("", " ").strip()).get("/report/follow-up/report/")  # spaces allowed
    assert "报告乙的内容" in page.content.decode() and "报告甲的内容" not in page.content.decode()
    assert selectors.find_by_receipt(code_a[:-1] + str((int(code_a[-1]) + 1) % 10)) is None


def test_the_follow_up_page_needs_a_code():
    response = Client().get("/report/follow-up/report/")
    assert response.status_code == 302 and response["Location"] == "/report/follow-up/"


def test_wrong_codes_are_audited_and_rate_limited(settings):
    settings.CLUES_FOLLOWUP_FAILURES_PER_HOUR = 3
    _, code = submit()
    client = Client()
    for _ in range(3):
        response = client.post("/report/follow-up/", {"code": "1234567812345678"})
        assert response.status_code == 200 and b"No report has this receipt code" in response.content
    assert AuditEvent.objects.filter(action="clue.receipt_check", outcome="failure").count() == 3
    blocked = client.post("/report/follow-up/", {"code": code})  # even the right one, once blocked
    assert blocked.status_code == 429
    assert b"Too many wrong receipt codes" in blocked.content
    assert AuditEvent.objects.filter(action="clue.receipt_check", outcome="denied").exists()
    other_address = Client(REMOTE_ADDR="10.0.0.9").post("/report/follow-up/", {"code": code})
    assert other_address.status_code == 302


def test_reports_per_address_are_limited_with_a_clear_message(settings):
    settings.CLUES_REPORTS_PER_HOUR = 2
    assert submit()[1] and submit()[1]
    response, code = submit()
    assert response.status_code == 429 and code is None
    assert b"Too many reports" in response.content
    assert Clue.objects.count() == 2


def test_the_honeypot_refuses_robots():
    response, code = submit(website="http://spam.example")
    assert response.status_code == 400 and code is None
    assert Clue.objects.count() == 0
    assert AuditEvent.objects.filter(action="clue.public_honeypot").exists()


def test_a_form_sent_too_fast_is_shown_again(settings):
    settings.CLUES_MIN_FILL_SECONDS = 60
    response, code = submit(description="很快提交的内容")
    assert response.status_code == 400 and code is None
    assert "很快提交的内容" in response.content.decode()  # the text is kept
    assert b"very quick" in response.content
    assert Clue.objects.count() == 0


def test_a_forged_form_token_is_refused():
    response, code = submit(started="abc:def:ghi")
    assert response.status_code == 400 and code is None


def test_size_limits(settings):
    settings.CLUES_DESCRIPTION_MAX = 20
    response, code = submit(description="很" * 21)
    assert response.status_code == 400 and code is None


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (31.0, 44.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_pictures_are_attached_without_location_and_other_types_refused():
    photo = SimpleUploadedFile("现场.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response, code = submit(files=[photo])
    assert code is not None
    clue = Clue.objects.get()
    stored = StoredFile.objects.get(target_id=str(clue.pk))
    assert stored.content_type == "image/jpeg"
    assert StoredFile.objects.count() == 1
    sheet = SimpleUploadedFile("a.docx", b"PK\x03\x04" + b"0" * 100, content_type="application/msword")
    response, code = submit(files=[sheet])
    assert code is None and response.status_code == 400


def test_too_many_files_are_refused(settings):
    settings.CLUES_MAX_ATTACHMENTS = 1
    files = [SimpleUploadedFile(f"{i}.jpg", _jpeg_with_gps(), content_type="image/jpeg") for i in range(2)]
    response, code = submit(files=files)
    assert code is None and b"At most 1 files" in response.content


def test_contact_details_need_consent_and_become_an_encrypted_person():
    response, code = submit(contact_name="举报人王某", contact_phone="13800001111")
    assert code is None and response.status_code == 400
    response, code = submit(contact_name="举报人王某", contact_phone="13800001111", contact_consent="on")
    assert code is not None
    clue = Clue.objects.get()
    assert (
        clue.reporter.full_name == "举报人王某" and clue.reporter.registered_by_unit.code == "341500-office"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM people_person WHERE id = %s", [clue.reporter_id])
        assert "王某" not in cursor.fetchone()[0]


def test_the_reporter_reads_replies_answers_and_adds_information(office):
    _, code = submit(description="我的举报")
    clue = Clue.objects.get()
    services.message_reporter(actor=office, clue=clue, message="请问是几点看到的？", question=True)
    services.add_note(actor=office, clue=clue, message="内部备注不可外露")
    client = open_with_code(code)
    page = client.get("/report/follow-up/report/").content.decode()
    assert "请问是几点看到的？" in page
    timeline = page[page.index('id="public-timeline"') :]
    assert "内部备注不可外露" not in page and "市反拐联席会议办公室" not in page
    assert office.username not in timeline[: timeline.index("</ul>")]
    photo = SimpleUploadedFile("x.png", _png(), content_type="image/png")
    response = client.post("/report/follow-up/report/message/", {"message": "大约下午三点", "files": [photo]})
    assert response.status_code == 302
    event = clue.events.get(kind=ClueEvent.Kind.REPORTER_MESSAGE)
    assert event.message == "大约下午三点"
    assert StoredFile.objects.filter(target_id=str(clue.pk)).count() == 1
    assert "大约下午三点" in client.get("/report/follow-up/report/").content.decode()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="PNG")
    return out.getvalue()


def test_leaving_forgets_the_report():
    _, code = submit()
    client = open_with_code(code)
    client.post("/report/follow-up/leave/")
    assert client.get("/report/follow-up/report/").status_code == 302


def test_reporter_messages_are_rate_limited(settings):
    settings.CLUES_MESSAGES_PER_HOUR = 1
    _, code = submit()
    client = open_with_code(code)
    assert client.post("/report/follow-up/report/message/", {"message": "一"}).status_code == 302
    assert client.post("/report/follow-up/report/message/", {"message": "二"}).status_code == 429


def test_the_counter_is_per_purpose_and_address():
    assert abuse.hit(abuse.REPORT, "1.2.3.4")
    assert abuse.count(abuse.REPORT, "1.2.3.4") == 1
    assert abuse.count(abuse.REPORT, "5.6.7.8") == 0
    assert abuse.count(abuse.MESSAGE, "1.2.3.4") == 0
    assert not any("1.2.3.4" in key for key in abuse.AbuseCounter.objects.values_list("key", flat=True))


def test_old_counters_are_purged():
    from datetime import timedelta

    from django.utils import timezone

    from fanguai.clues.tasks import purge_abuse_counters

    abuse.hit(abuse.REPORT, "1.2.3.4")
    abuse.AbuseCounter.objects.update(window_start=timezone.now() - timedelta(hours=3))
    abuse.hit(abuse.REPORT, "1.2.3.4")
    purge_abuse_counters.call()
    assert abuse.AbuseCounter.objects.count() == 1
