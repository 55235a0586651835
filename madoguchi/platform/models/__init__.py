"""Models of the platform app, split by concern; import them from here.

The outbox, the buckets and the tokens were born in `cases` and keep its tables (Meta.db_table):
the move is a change of home, not of data (migrations/0001 and cases/0008 move the state only).
JobRun, the worker's schedule, was born here.
"""

from madoguchi.platform.models.jobrun import JobRun
from madoguchi.platform.models.outbox import OutboundEmail
from madoguchi.platform.models.ratelimit import TokenBucket
from madoguchi.platform.models.token import ApiToken

__all__ = ["ApiToken", "JobRun", "OutboundEmail", "TokenBucket"]
