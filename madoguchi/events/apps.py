from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "madoguchi.events"
    label = "events"
    verbose_name = _("イベント")

    def ready(self) -> None:
        # Published, upcoming events are searchable as 「イベント」; saving one updates its
        # document (see events/search.py for how ended events leave the index).
        from madoguchi.events.search import register_events

        register_events()
        from madoguchi.events.subscriptions import register_unsubscribe

        register_unsubscribe()
        from madoguchi.events import rules  # noqa: F401  (registers events.may_change_event)
        from madoguchi.events.jobs import register_jobs

        register_jobs()  # the worker's daily digest (07:00) and anonymisation (03:20)
