"""The JSON schemas of leadwave's domain events (``schemas/events/<type>.json``), written from
the models of ``leadwave.rules.events``: one source of truth, checked current by a test."""

from __future__ import annotations

import json
from pathlib import Path

from leadwave.rules.events import schemas

FOLDER = Path(__file__).resolve().parents[2] / "schemas" / "events"


def rendered() -> dict[str, str]:
    return {f"{type_}.json": json.dumps(schema, indent=2, sort_keys=True) + "\n" for type_, schema in schemas().items()}


def stale() -> list[str]:
    """File names that differ from (or are missing against) a fresh rendering, or are left over."""
    want = rendered()
    have = {p.name for p in FOLDER.glob("*.json")} if FOLDER.exists() else set()
    changed = [name for name, text in want.items()
               if not (FOLDER / name).exists() or (FOLDER / name).read_text(encoding="utf-8") != text]
    return sorted(changed + sorted(have - set(want)))


def write() -> list[Path]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    want = rendered()
    for leftover in FOLDER.glob("*.json"):
        if leftover.name not in want:
            leftover.unlink()
    for name, text in want.items():
        (FOLDER / name).write_text(text, encoding="utf-8")
    return [FOLDER / name for name in want]
