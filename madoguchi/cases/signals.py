"""What happens to a case, said by the models and heard by notify.py (connected in CasesConfig.ready).

The models decide; who is told, and how, is notify's business: a model never imports it, so
models, notify and the mail queue form no circle. Each signal is sent inside the model's
transaction, right where notify used to be called, and `send` (not `send_robust`) lets a
receiver's error roll the change back as before: the email rows are queued in that same
transaction, so they exist exactly when the change was committed.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=Referral, referral=<the new referral>
referral_sent = Signal()
# sender=Referral, referral=<the declined referral>; sent only when nobody else holds the case
referral_declined = Signal()
# sender=Case, case=<the case>, organizations=<list of the other institutions that held it>
consent_withdrawn = Signal()
