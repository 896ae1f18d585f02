"""Loads the instruments and occupations in assessments/data/ into the database.

Called by data migrations with the migration's app registry, so it only uses fields
that exist in the historical models. Rows are matched by their codes and updated in
place, so running it again after editing a file brings the database in line.
"""

import csv
import tomllib
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
INSTRUMENT_FILES = ("riasec-interests.toml", "work-values.toml")
OCCUPATIONS_FILE = "occupations.csv"

INSTRUMENT_FIELDS = (
    "name",
    "kind",
    "answer_scale",
    "question",
    "items_per_page",
    "minutes",
    "sort_order",
    "introduction",
    "scoring_rule",
)


def instrument_definition(file_name: str) -> dict:
    return tomllib.loads((DATA_DIR / file_name).read_text(encoding="utf-8"))


def item_scale_code(item_code: str) -> str:
    """R1 → R, ACH2 → ACH: an item counts towards the scale its code starts with."""
    return item_code.rstrip("0123456789")


def instruments_load(apps) -> None:
    Instrument = apps.get_model("assessments", "Instrument")
    Scale = apps.get_model("assessments", "Scale")
    Item = apps.get_model("assessments", "Item")
    for file_name in INSTRUMENT_FILES:
        data = instrument_definition(file_name)
        instrument, _ = Instrument.objects.update_or_create(
            code=data["code"],
            defaults={field: _clean(data[field]) for field in INSTRUMENT_FIELDS},
        )
        scales = {}
        for position, scale in enumerate(data["scales"], start=1):
            scales[scale["code"]], _ = Scale.objects.update_or_create(
                instrument=instrument,
                code=scale["code"],
                defaults={
                    "name": scale["name"],
                    "description": scale["description"],
                    "position": position,
                },
            )
        for position, item in enumerate(data["items"], start=1):
            Item.objects.update_or_create(
                instrument=instrument,
                code=item["code"],
                defaults={
                    "text": item["text"],
                    "scale": scales[item_scale_code(item["code"])],
                    "position": position,
                },
            )


def occupations_load(apps) -> None:
    Occupation = apps.get_model("assessments", "Occupation")
    with (DATA_DIR / OCCUPATIONS_FILE).open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            Occupation.objects.update_or_create(
                onet_soc=row["onet_soc"],
                defaults={"title": row["title"], "interest_code": row["interest_code"]},
            )


def _clean(value):
    # The files wrap long text at 88 columns; paragraphs are what matter.
    if not isinstance(value, str):
        return value
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in value.strip().split("\n\n"))
