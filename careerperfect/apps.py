from django.apps import AppConfig


class CareerPerfectConfig(AppConfig):
    name = "careerperfect"
    verbose_name = "CareerPerfect"
