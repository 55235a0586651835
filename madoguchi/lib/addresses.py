"""Which addresses may be mailed at all: one rule for every notifying module.

Every recipient — an institution's staff (directory/recipients.py), or one person where that
person is recorded (a client, a registrant, a subscriber, a saved search's or a listing's owner)
— goes through `deliverable` before it reaches the outbox. An empty address (an anonymised
record keeps ""), one of blanks only, and one that is not an address at all (old data, an
import that skipped the form's check) are dropped here, so no module queues a row the worker
can only fail on, and none has its own idea of what counts as an address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def is_deliverable(address: str | None) -> bool:
    """Whether `address`, stripped, is an email address (Django's EmailValidator, as the forms use)."""
    if not address or not address.strip():
        return False
    try:
        validate_email(address.strip())
    except ValidationError:
        return False
    return True


def deliverable(*candidates: str | None) -> list[str]:
    """The candidates that can be mailed, stripped, in the order given, each once."""
    return list(dict.fromkeys(address.strip() for address in candidates if address and is_deliverable(address)))
