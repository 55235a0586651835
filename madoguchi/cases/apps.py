from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "madoguchi.cases"
    label = "cases"
    verbose_name = _("相談・紹介")

    def ready(self) -> None:
        from madoguchi.cases import notify
        from madoguchi.cases.jobs import register_jobs

        # The models announce what happened (signals.py); notify decides who is emailed.
        notify.connect()
        # The worker flags referrals nobody answered in time (and tells people) every 5 minutes,
        # and anonymises closed cases past their retention at 03:15.
        register_jobs()
