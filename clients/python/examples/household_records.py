"""Deterministic fake records of the PERSONAL demo dataset
rennes.energy.household-consumption, the same as the C++ example's
(clients/examples/household_records.cc): a few days of household energy use
per subject pseudonym; the same pseudonym always gets the same records.
"""
from __future__ import annotations

import hashlib
import json

HOUSEHOLD_DATASET = "rennes.energy.household-consumption"
HOUSEHOLD_FIELDS = ("household_id", "subject", "day", "kwh", "tariff", "district")

_DISTRICTS = ("Centre", "Thabor", "Bourg-l'Evesque", "Villejean", "Cleunay", "Maurepas")
_TARIFFS = ("base", "peak-off-peak", "tempo")


def _stable(subject: str, salt: str) -> int:
    """A stable pseudo-random number for (subject, salt)."""
    digest = hashlib.sha256(f"{salt}\n{subject}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def household_records_for(subject: str, days: int = 3) -> list[dict[str, str]]:
    """`days` records for `subject`, one per day from 2024-01-01, with every
    field of the dataset."""
    h = _stable(subject, "household")
    records = []
    for day in range(1, days + 1):
        use = _stable(subject, f"day-{day}")
        records.append({
            "household_id": f"hh-{h % 1000000:06d}",
            "subject": subject,
            "day": f"2024-01-{day:02d}",
            "kwh": f"{4.0 + (use % 160) / 10:.1f}",
            "tariff": _TARIFFS[h % 3],
            "district": _DISTRICTS[(h >> 8) % 6],
        })
    return records


def read_subjects_file(path: str) -> list[str]:
    """The pseudonyms of a JSON file holding an array of strings (or an
    object with a "subjects" array). ValueError naming the file."""
    try:
        with open(path, "rb") as f:
            document = json.load(f)
    except OSError as e:
        raise ValueError(f"{path}: cannot open ({e.strerror})") from None
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    subjects = document.get("subjects") if isinstance(document, dict) else document
    if not isinstance(subjects, list):
        raise ValueError(f'{path}: expected an array of pseudonyms or {{"subjects": [...]}}')
    for i, s in enumerate(subjects):
        if not isinstance(s, str) or not s:
            raise ValueError(f"{path}: subjects[{i}] is not a non-empty string")
    return list(subjects)
