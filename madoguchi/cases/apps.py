from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "madoguchi.cases"
    label = "cases"
    verbose_name = _("相談・紹介")

    def ready(self) -> None:
        from madoguchi.cases import notify, overdue
        from madoguchi.platform import jobs

        # The models announce what happened (signals.py); notify decides who is emailed.
        notify.connect()
        # The worker flags referrals nobody answered in time (and tells people), every 5 minutes.
        jobs.register("overdue-referrals", every=overdue.SWEEP_EVERY, run=overdue.worker_sweep)
