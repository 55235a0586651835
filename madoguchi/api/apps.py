from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "madoguchi.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from madoguchi import checks  # noqa: F401  (registers the system checks)
