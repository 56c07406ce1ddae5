"""Fixtures of the clue tests: a cheap receipt hash, no minimum fill time and generous rate limits (tests
that need them set them)."""

import pytest


@pytest.fixture(autouse=True)
def _clue_settings(settings):
    # The cast's passwords hash fast here; legacy receipt hashes (PBKDF2) use few iterations.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    settings.CLUES_RECEIPT_ITERATIONS = 1000
    settings.CLUES_MIN_FILL_SECONDS = 0
    settings.CLUES_REPORTS_PER_HOUR = 1000
    settings.CLUES_FOLLOWUP_FAILURES_PER_HOUR = 1000
    settings.CLUES_MESSAGES_PER_HOUR = 1000


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message texts in English (the platform's second language); Chinese is tested apart."""
