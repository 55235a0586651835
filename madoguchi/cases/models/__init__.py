"""Models of the cases app, split by concern; import them from here."""

from madoguchi.cases.models.case import Activity, Case, CaseRead, Client, Outcome
from madoguchi.cases.models.outbox import OutboundEmail
from madoguchi.cases.models.ratelimit import TokenBucket
from madoguchi.cases.models.referral import Conflict, Referral
from madoguchi.cases.models.token import ApiToken

__all__ = ["Activity", "ApiToken", "Case", "CaseRead", "Client", "Conflict", "OutboundEmail", "Outcome", "Referral", "TokenBucket"]
