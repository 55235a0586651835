"""Models of the cases app, split by concern; import them from here."""

from madoguchi.cases.models.case import Activity, Case, CaseRead, Client, Outcome
from madoguchi.cases.models.referral import Conflict, Referral

__all__ = ["Activity", "Case", "CaseRead", "Client", "Conflict", "Outcome", "Referral"]
