"""Every read of clues, filtered by the clue policy; reads of sensitive records are audited."""

from collections import Counter
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.org.models import Region

from . import conf, receipts
from .models import Category, Clue, ClueEvent, ClueTransfer, Reward, Source
from .policies import triage_scope

OBJECT_TYPE = "clues.clue"


def visible_clues(
    user,
    *,
    status: str = "",
    category: str = "",
    source: str = "",
    county: str = "",
    priority: str = "",
    number: str = "",
    queue: str = "",
) -> QuerySet[Clue]:
    clues = policy_for(Clue).visible(
        user, Clue.objects.select_related("county", "region", "responsible_unit", "received_by_unit")
    )
    if status:
        clues = clues.filter(status=status)
    if category:
        clues = clues.filter(category=category)
    if source:
        clues = clues.filter(source=source)
    if county:
        clues = clues.filter(county__code=county)
    if priority:
        clues = clues.filter(priority=priority)
    if number:
        clues = clues.filter(number=number.strip().upper())
    if queue == "triage":
        scope = triage_scope(user)
        clues = clues.filter(status=Clue.Status.NEW) if scope is not None else clues.none()
        if scope:
            clues = clues.filter(scope)
    elif queue == "unit":
        clues = clues.filter(
            responsible_unit_id=user.unit_id, status__in=[Clue.Status.TRANSFERRED, Clue.Status.ACKNOWLEDGED]
        )
    return clues


def clue_for_view(user, pk: int) -> Clue:
    clue = policy_for(Clue).get_visible_or_404(
        user,
        Clue.objects.select_related(
            "county", "region", "responsible_unit", "received_by_unit", "merged_into"
        ),
        pk=pk,
    )
    record_event("clue.view", actor=user, object_type=OBJECT_TYPE, object_id=clue.pk)
    return clue


def reporter_for_view(user, clue: Clue):
    """The reporter's person record, for a user whose role needs it; each view is audited."""
    allowed = policy_for(Clue).can(user, "view_reporter", clue)
    record_event(
        "clue.reporter_view",
        actor=user,
        object_type=OBJECT_TYPE,
        object_id=clue.pk,
        outcome="success" if allowed else "denied",
    )
    if not allowed:
        raise Http404
    return clue.reporter


def timeline(clue: Clue) -> QuerySet[ClueEvent]:
    return clue.events.select_related("actor", "unit", "to_unit", "transfer")


def public_timeline(clue: Clue) -> QuerySet[ClueEvent]:
    """What the reporter sees: no staff names, no units, no internal notes."""
    return clue.events.filter(visible_to_reporter=True).only("kind", "message", "created_at", "clue_id")


def transfers(clue: Clue) -> QuerySet[ClueTransfer]:
    return clue.transfers.select_related("to_unit", "from_unit", "transferred_by", "acknowledged_by")


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text.lower() if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character pairs: works for Chinese, which has no spaces between words."""
    first, second = _bigrams(a), _bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def possible_duplicates(user, clue: Clue, limit: int = 5) -> list[tuple[Clue, float]]:
    """Other open clues the user triages that look like the same matter: similar text, the same place
    and a close time. The descriptions are encrypted, so the candidates are narrowed in SQL (time window,
    county) and compared here."""
    if not policy_for(Clue).can(user, "triage", clue):
        return []
    window = timedelta(days=conf.duplicate_days())
    moment = clue.occurred_at or clue.created_at
    candidates = (
        visible_clues(user).exclude(pk=clue.pk).exclude(status__in=[Clue.Status.MERGED, Clue.Status.CLOSED])
    )
    candidates = candidates.filter(
        Q(created_at__range=(moment - window, moment + window))
        | Q(occurred_at__range=(moment - window, moment + window))
    )
    if clue.county_id:
        candidates = candidates.filter(Q(county_id=clue.county_id) | Q(county__isnull=True))
    scored = []
    for other in candidates.order_by("-created_at")[:300]:
        score = similarity(clue.description, other.description)
        if clue.region_id and clue.region_id == other.region_id:
            score += 0.2
        if clue.category == other.category:
            score += 0.1
        other_moment = other.occurred_at or other.created_at
        if abs((other_moment - moment).total_seconds()) < 2 * 86400:
            score += 0.1
        if score >= 0.45:
            scored.append((other, round(min(score, 1.0), 2)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


def find_by_receipt(code: str) -> Clue | None:
    """The clue whose receipt code this is, or None: one indexed query on the keyed digest. A report made
    before the keyed digest is found through its 16-bit bucket and slow hash, and upgraded on the way."""
    code = receipts.normalise(code)
    if not code:
        return None
    found = Clue.objects.select_related("region").filter(receipt_digest=receipts.digest(code)).first()
    if found is not None:
        return found
    legacy = Clue.objects.filter(receipt_lookup=receipts.lookup_key(code), receipt_digest="").exclude(
        receipt_hash=""
    )
    for candidate in legacy.only("pk", "receipt_hash"):
        if receipts.legacy_matches(code, candidate.receipt_hash):
            # Upgrade: from now on this code is found by its digest; the slow hash is no longer kept.
            Clue.objects.filter(pk=candidate.pk).update(
                receipt_digest=receipts.digest(code), receipt_hash="", receipt_lookup=""
            )
            return Clue.objects.select_related("region").get(pk=candidate.pk)
    return None


def public_clue(pk: int | None) -> Clue | None:
    if not pk:
        return None
    return Clue.objects.select_related("region", "merged_into").filter(pk=pk).first()


def open_reward(clue: Clue) -> Reward | None:
    return clue.rewards.filter(status=Reward.Status.APPROVED, claimed_at__isnull=True).first()


def visible_rewards(user) -> QuerySet[Reward]:
    return policy_for(Reward).visible(
        user, Reward.objects.select_related("clue", "proposed_by", "decided_by")
    )


def reward_for(user, pk: int) -> Reward:
    return policy_for(Reward).get_visible_or_404(user, Reward.objects.select_related("clue"), pk=pk)


# Statistics ----------------------------------------------------------------------------------------------


def statistics_scope(user) -> QuerySet[Clue]:
    """Clues counted in the user's statistics: the city for city-level users, the county otherwise.
    Only aggregates leave this module."""
    clues = Clue.objects.exclude(status=Clue.Status.MERGED)
    if user.county is not None:
        clues = clues.filter(county=user.county)
    return clues


STATISTICS_SECONDS = 300


def statistics(user, *, year: int | None = None) -> dict:
    """The clue statistics of the user's scope (city or county), cached per scope, year and language.

    The figures take five grouped scans of every clue (about 150 ms at a year of a city's clues); they change
    only when a clue does, and every change of a clue or of its transfers saves the clue, so the cache key
    carries the latest ``updated_at`` (read from its index): a change shows at once, and the cache only
    spares the scans while nothing changed (at most STATISTICS_SECONDS)."""
    latest = Clue.objects.aggregate(latest=Max("updated_at"))["latest"]
    key = ":".join(
        str(part)
        for part in (
            "clue-statistics",
            user.county.pk if user.county is not None else "city",
            year or "all",
            get_language(),
            latest.timestamp() if latest else 0,
        )
    )
    stats = cache.get(key)
    if stats is None:
        stats = _statistics(user, year=year)
        cache.set(key, stats, STATISTICS_SECONDS)
    return stats


def _statistics(user, *, year: int | None = None) -> dict:
    clues = statistics_scope(user)
    if year:
        start = datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
        clues = clues.filter(created_at__gte=start, created_at__lt=start.replace(year=year + 1))
    total = clues.count()
    by_source = _labelled(clues, "source", dict(Source.choices))
    by_category = _labelled(clues, "category", dict(Category.choices))
    by_status = _labelled(clues, "status", dict(Clue.Status.choices))
    county_names = dict(
        Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE]).values_list("pk", "name")
    )
    by_county = [
        (county_names.get(row["county"], "—") if row["county"] else "—", row["n"])
        for row in clues.values("county").annotate(n=Count("pk")).order_by("county")
    ]
    by_month = [
        (timezone.localtime(row["month"]).strftime("%Y-%m") if row["month"] else "—", row["n"])
        for row in clues.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    ]
    moved = ClueTransfer.objects.filter(clue__in=clues.values("pk")).exclude(
        status=ClueTransfer.Status.WITHDRAWN
    )
    now = timezone.now()
    hours = sorted(
        (acknowledged - transferred).total_seconds() / 3600
        for transferred, acknowledged in moved.filter(acknowledged_at__isnull=False).values_list(
            "transferred_at", "acknowledged_at"
        )
    )
    decided = moved.filter(Q(acknowledged_at__isnull=False) | Q(due_at__lte=now))
    on_time = decided.filter(acknowledged_at__isnull=False, acknowledged_at__lte=F("due_at")).count()
    decided_count = decided.count()
    return {
        "year": year,
        "total": total,
        "by_source": by_source,
        "by_category": by_category,
        "by_status": by_status,
        "by_county": by_county,
        "by_month": by_month,
        "transfers": moved.count(),
        "acknowledged": len(hours),
        "median_hours": round(hours[len(hours) // 2], 1) if hours else None,
        "mean_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "on_time": on_time,
        "decided": decided_count,
        "on_time_share": round(100 * on_time / decided_count, 1) if decided_count else None,
    }


def _labelled(clues: QuerySet[Clue], field: str, labels: dict) -> list[tuple[str, int]]:
    counts = Counter(dict(clues.values_list(field).annotate(n=Count("pk")).values_list(field, "n")))
    return [(str(labels.get(key, key)), counts[key]) for key in labels if counts.get(key)]
