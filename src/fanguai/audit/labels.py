"""Chinese labels for the machine codes of the audit trail: the action ("user.login", "assistance.case.view"),
the object type (a model label such as "accounts.user") and the changed fields. The codes stay what is stored
and exported (the hash chain covers them); only the page shows the labels.

An action is "<subject>.<verb>": its label is the subject's and the verb's, e.g. 救助个案 · 查看 (the verbs are
nouns in English, "creation", "view": their msgids must not be those of the field names "created", "viewed"). A code
whose subject or verb is not listed keeps its code, so a new action is seen untranslated (the Chinese-text
crawler, tests/test_chinese_crawler.py, fails on it) rather than mislabelled."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

SUBJECTS = {
    "activity": _("Outreach activity"),
    "alert": _("Missing-child alert"),
    "api_token": _("API token"),
    "assessment": _("Assessment"),
    "assistance.campaign": _("Assistance campaign"),
    "assistance.care_visit": _("Care visit"),
    "assistance.case": _("Assistance case"),
    "assistance.consent": _("Consent"),
    "assistance.dna_request": _("DNA sampling request"),
    "assistance.entrusted_care": _("Entrusted care"),
    "assistance.indicators": _("Assistance indicators"),
    "assistance.placement": _("Placement"),
    "assistance.referral": _("Referral"),
    "assistance.registration": _("Care register entry"),
    "assistance.visit": _("Follow-up visit"),
    "audit": _("Audit trail"),
    "audit.checkpoint": _("Audit checkpoint"),
    "backup": _("Backup"),
    "case": _("Case"),
    "clue": _("Clue"),
    "commendation": _("Commendation"),
    "deadline": _("Deadline"),
    "dna.candidate": _("DNA candidate match"),
    "dna": _("DNA database"),
    "dna.pedigree": _("Family pedigree"),
    "dna.profile": _("DNA profile"),
    "dna.rematch": _("DNA re-matching"),
    "dna.reunion": _("Reunion"),
    "dna.run": _("Comparison run"),
    "dna.sample": _("DNA sample"),
    "dna.sampling": _("DNA sampling"),
    "dna.settings": _("Analysis settings"),
    "dna.specimen": _("Specimen"),
    "evaluation": _("Evaluation"),
    "file": _("File"),
    "finding": _("Inspection finding"),
    "inspection": _("Inspection"),
    "keys": _("Encryption keys"),
    "listing": _("Listed supervision item"),
    "missing_report": _("Missing-person report"),
    "missing_step": _("Rapid-search step"),
    "notification": _("Notification"),
    "person": _("Person"),
    "plan": _("Action plan"),
    "progress_report": _("Progress report"),
    "rectification": _("Rectification"),
    "regions": _("Regions"),
    "reward": _("Reward"),
    "sample_request": _("Blood-sample request"),
    "screening": _("Screening"),
    "self_assessment": _("Self-assessment"),
    "subscriber": _("Alert subscriber"),
    "unidentified": _("Unidentified person"),
    "units": _("Units"),
    "user": _("User"),
    "webhook": _("Webhook"),
    "work_item": _("Work item"),
    "work_plan": _("Work plan"),
}

VERBS = {
    "accept": _("acceptance"),
    "acknowledge": _("acknowledgement"),
    "add": _("addition"),
    "approve": _("approval"),
    "assess": _("needs assessment"),
    "attach": _("attachment"),
    "cancel": _("cancellation"),
    "cancel_pending": _("cancellation before publication"),
    "change": _("change"),
    "claim": _("claim"),
    "clearance": _("clearance view"),
    "close": _("closing"),
    "clue": _("clue report"),
    "clue_link": _("clue link"),
    "collect": _("collection"),
    "collected": _("collection recorded"),
    "correct": _("correction"),
    "compute": _("computation"),
    "conduct": _("conduct"),
    "confirm": _("confirmation"),
    "create": _("creation"),
    "criteria": _("criteria change"),
    "custody": _("custody entry"),
    "decide": _("decision"),
    "decline": _("declining"),
    "delete": _("deletion"),
    "deletion_request": _("deletion request"),
    "deliver": _("handing over"),
    "download": _("download"),
    "escalate": _("escalation"),
    "event_add": _("event entry"),
    "export": _("export"),
    "fail": _("failure"),
    "finish": _("completion"),
    "found": _("found alive"),
    "guardian": _("guardian entry"),
    "hand_over": _("hand-over"),
    "idle_timeout": _("idle sign-out"),
    "import": _("import"),
    "late": _("lateness"),
    "lift_approve": _("lifting approval"),
    "lift_request": _("lifting request"),
    "link": _("linking"),
    "list": _("list view"),
    "load": _("loading"),
    "login": _("sign-in"),
    "logout": _("sign-out"),
    "media_release": _("media release"),
    "meet": _("completion in time"),
    "merge": _("merging"),
    "message_reporter": _("message to the reporter"),
    "note": _("note"),
    "on_late": _("action on lateness"),
    "open": _("opening"),
    "outcome": _("outcome entry"),
    "overdue": _("overdue notice"),
    "package": _("package change"),
    "party_add": _("party entry"),
    "password": _("password change"),
    "pay": _("payment"),
    "pdf": _("PDF document"),
    "promote": _("promotion"),
    "propose": _("proposal"),
    "public_honeypot": _("spam trap"),
    "public_limit": _("public submission limit"),
    "public_view": _("view by the reporter"),
    "publish": _("publication"),
    "purge": _("purge"),
    "purge_orphans": _("orphan purge"),
    "read": _("reading"),
    "read_all": _("all marked read"),
    "receipt_check": _("receipt code check"),
    "record": _("recording"),
    "record_past": _("recording after the fact"),
    "rectified": _("rectification entry"),
    "register": _("registration"),
    "reject": _("rejection"),
    "rekey": _("re-keying"),
    "reopen": _("reopening"),
    "report": _("progress reporting"),
    "reporter_message": _("message from the reporter"),
    "reporter_view": _("reading by the reporter"),
    "request": _("request"),
    "request_closure": _("closure request"),
    "reschedule": _("rescheduling"),
    "responsibility": _("responsibility change"),
    "restore": _("restoring"),
    "result": _("result entry"),
    "retire": _("retirement"),
    "return": _("returning"),
    "reveal": _("identity disclosure"),
    "review": _("review"),
    "revoke": _("revocation"),
    "rotate": _("rotation"),
    "sampled": _("sampling done"),
    "save": _("saving"),
    "schedule": _("scheduling"),
    "score": _("scoring"),
    "security_reset": _("security reset"),
    "self_register": _("self-registration"),
    "send": _("sending"),
    "start": _("start"),
    "statistics_export": _("statistics export"),
    "status": _("status change"),
    "step_done": _("step completion"),
    "submit": _("submission"),
    "transfer": _("transfer to a unit"),
    "triage": _("triage"),
    "unsubscribe": _("unsubscription"),
    "update": _("change"),
    "upload": _("upload"),
    "use": _("use"),
    "veto": _("veto"),
    "view": _("view"),
    "warn": _("reminder"),
    "warning": _("warning notice"),
    "widen": _("widening"),
    "withdraw": _("withdrawal"),
    "identified": _("identification"),
}

# Object types that are no model label of the platform (nor a subject of actions).
OBJECT_TYPES = {
    "audit.event": _("Audit event"),
    "audit.key": _("Audit key"),
    "core.backup": _("Backup"),
    "core.key": _("Encryption key"),
    "encryption.keys": _("Encryption keys"),
    "missing.report": _("Missing-person report"),
    "notifications.event": _("Notification"),
}


def action_label(code: str) -> str:
    """The label of an action code, e.g. "user.login" -> 用户 · 登录; the code itself when unknown."""
    subject, _dot, verb = code.rpartition(".")
    if subject in SUBJECTS and verb in VERBS:
        return f"{SUBJECTS[subject]} · {VERBS[verb]}"
    return code


# Object types written under a name that is not their model's label.
MODEL_OF = {"missing.report": "missing.MissingReport"}


def _model(object_type: str):
    object_type = MODEL_OF.get(object_type, object_type)
    try:
        return apps.get_model(object_type) if object_type.count(".") == 1 else None
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """The name of the kind of object (the model's verbose name), or the code when unknown."""
    if object_type in OBJECT_TYPES:
        return str(OBJECT_TYPES[object_type])
    if object_type in SUBJECTS:  # "assistance.case": the subject of the actions on it
        return str(SUBJECTS[object_type])
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def field_labels(object_type: str, fields: list[str]) -> list[str]:
    """The verbose names of changed fields of an object type (a field name left as is when unknown)."""
    model = _model(object_type)
    return [_field_label(model, name) if model else name for name in fields]


def _field_label(model, name: str) -> str:
    """A field of the model, else of a record made with it (e.g. a specimen's link holds its legal basis)."""
    for candidate in (model, *(rel.related_model for rel in model._meta.related_objects)):
        try:
            return str(candidate._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name
