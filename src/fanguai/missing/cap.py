"""CAP 1.2 documents (OASIS Common Alerting Protocol) for missing-person alerts: one info block in Chinese
and one in English, the area as a circle around the place last seen. Built from the alert's public fields
only; the tests validate every document against the OASIS schema."""

import math
import xml.etree.ElementTree as ET  # noqa: S405  we build documents, we never parse untrusted XML here
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import conf

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
EARTH_RADIUS_KM = 6371.0088


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: local time with a numeric offset, whole seconds (the schema rejects 'Z')."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def absolute(path: str) -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def reference(message) -> str:
    return f"{conf.cap_sender()},{message.identifier},{cap_time(message.sent)}"


def circle(alert, radius_km: int) -> str:
    return f"{float(alert.latitude):.6f},{float(alert.longitude):.6f} {radius_km}"


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _sub(parent, name: str, text: str | None = None):
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


SEX_ZH = {"female": "女", "male": "男"}
SEX_EN = {"female": "female", "male": "male"}


def _texts(alert, reason: str) -> dict[str, dict[str, str]]:
    """Headline, description and instruction in both languages (the Chinese block is data, not gettext)."""
    since = timezone.localtime(alert.missing_since).strftime("%Y-%m-%d %H:%M")
    phone = alert.police_phone or conf.police_phone()
    if reason == "found":
        return {
            "zh-CN": {
                "event": "儿童失踪",
                "headline": "已找到",
                "description": "该失踪人员已找到，感谢社会各界的关注与帮助。",
                "instruction": "无需再采取行动。",
            },
            "en-US": {
                "event": "Missing child",
                "headline": "Found",
                "description": "The missing person has been found. Thank you for your help.",
                "instruction": "No further action is needed.",
            },
        }
    name = alert.display_name or "失踪人员"
    details_zh = "，".join(
        part for part in (SEX_ZH.get(alert.sex, ""), alert.age_text, alert.description) if part
    )
    details_en = ", ".join(
        part for part in (SEX_EN.get(alert.sex, ""), alert.age_text, alert.description_en) if part
    )
    return {
        "zh-CN": {
            "event": "儿童失踪",
            "headline": f"紧急寻人：{name}",
            "description": f"{name}于{since}在{alert.last_seen_place}走失。{details_zh}",
            "instruction": f"如有线索请立即拨打{phone}报警，切勿自行处置。",
        },
        "en-US": {
            "event": "Missing child",
            "headline": f"Missing: {alert.display_name or 'missing person'}",
            "description": f"Missing since {since}, last seen at {alert.last_seen_place}. {details_en}".strip(),
            "instruction": f"If you have information, call the police at {phone} at once. Do not intervene yourself.",
        },
    }


def build_document(alert, message, previous: list) -> str:
    """The XML of `message` (an unsaved or saved CapMessage) for `alert`, referencing `previous` messages."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}alert")
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", conf.cap_sender())
    _sub(root, "sent", cap_time(message.sent))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", "Public")
    if message.reason == "withdraw":
        _sub(root, "note", "Alert withdrawn / 警报已撤销")
    if previous:
        _sub(root, "references", " ".join(reference(m) for m in previous))
    _sub(root, "incidents", alert.code)
    if message.msg_type == "Cancel":
        return _serialise(root)
    found = message.reason == "found"
    for language, text in _texts(alert, message.reason).items():
        info = _sub(root, "info")
        _sub(info, "language", language)
        _sub(info, "category", "Rescue")
        _sub(info, "event", text["event"])
        _sub(info, "responseType", "AllClear" if found else "Monitor")
        _sub(info, "urgency", "Past" if found else "Immediate")
        _sub(info, "severity", "Minor" if found else "Severe")
        _sub(info, "certainty", "Observed" if found else "Likely")
        _sub(info, "senderName", conf.sender_name())
        _sub(info, "headline", text["headline"])
        _sub(info, "description", text["description"])
        _sub(info, "instruction", text["instruction"])
        _sub(info, "web", absolute(alert.get_public_url()))
        if not found:
            _sub(info, "contact", alert.police_phone or conf.police_phone())
            parameter = _sub(info, "parameter")
            _sub(parameter, "valueName", "radiusKm")
            _sub(parameter, "value", str(message.radius_km))
            if alert.has_photo:
                resource = _sub(info, "resource")
                _sub(resource, "resourceDesc", "照片" if language == "zh-CN" else "Photo")
                _sub(resource, "mimeType", "image/jpeg")
                _sub(resource, "size", str(len(bytes(alert.photo_jpeg))))
                _sub(resource, "uri", absolute(reverse("public_alerts:photo", args=[alert.code])))
            area = _sub(info, "area")
            _sub(
                area,
                "areaDesc",
                f"{alert.last_seen_place}周边{message.radius_km}公里"
                if language == "zh-CN"
                else f"Within {message.radius_km} km of {alert.last_seen_place}",
            )
            _sub(area, "circle", circle(alert, message.radius_km))
    return _serialise(root)


def _serialise(root) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def redacted_document(message, note: str) -> str:
    """An earlier message of a cleared alert: only the envelope, no personal details."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}alert")
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", conf.cap_sender())
    _sub(root, "sent", cap_time(message.sent))
    _sub(root, "status", "Actual")
    _sub(root, "msgType", message.msg_type)
    _sub(root, "scope", "Public")
    _sub(root, "note", note)
    _sub(root, "incidents", message.alert.code)
    return _serialise(root)
