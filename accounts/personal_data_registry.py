"""Finds every installed app's `personal_data` module (the contract is in the README).

    def export(user) -> dict                          # required: a JSON-serialisable section
    def export_files(user) -> list[tuple[str, bytes]] # optional: (name in the ZIP, content)
    def erase(user) -> None                           # optional: erase/anonymise that data
                                                      # (may raise ErasureBlocked)

"Download my data" and "Delete my account" call these for every app, so an app that
adds personal data only has to add its module to be included.
"""

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

MODULE_NAME = "personal_data"


class ErasureBlocked(Exception):
    """An app cannot erase its data just now (its message tells the person why, and
    when to try again); raised from erase(), it undoes the whole erasure."""


@dataclass(frozen=True)
class PersonalDataModule:
    app: AppConfig
    module: ModuleType

    @property
    def label(self) -> str:
        return self.app.label

    def export(self, user) -> dict:
        return self.module.export(user)

    def export_files(self, user) -> list[tuple[str, bytes]]:
        export_files = getattr(self.module, "export_files", None)
        return list(export_files(user)) if export_files else []

    @property
    def erases(self) -> bool:
        return callable(getattr(self.module, "erase", None))

    def erase(self, user) -> None:
        self.module.erase(user)


def personal_data_modules() -> list[PersonalDataModule]:
    """Every installed app's personal_data module, in INSTALLED_APPS order."""
    found = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, MODULE_NAME):
            module = import_module(f"{app.name}.{MODULE_NAME}")
            if not callable(getattr(module, "export", None)):
                raise TypeError(f"{module.__name__} must define export(user) -> dict.")
            found.append(PersonalDataModule(app=app, module=module))
    return found
