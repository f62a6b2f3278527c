"""The player app's message catalogs: one JSON file per language, English as the fallback.

Pages render their labels from the catalog and embed it for their scripts, so no language
lives in a template or a script.
"""

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOGS = Path(__file__).parent / "static" / "i18n"
FALLBACK = "en"


@lru_cache(maxsize=8)
def _load(language: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((CATALOGS / f"{language}.json").read_text("utf-8"))
    return data


def languages() -> tuple[str, ...]:
    """The languages the app speaks, by file name."""
    return tuple(sorted(path.stem for path in CATALOGS.glob("*.json")))


def language_of(locale: str | None) -> str:
    """'de-AT' → 'de' when there is a German catalog; anything unknown → English."""
    language = (locale or FALLBACK).replace("_", "-").split("-")[0].lower()
    return language if language in languages() else FALLBACK


def catalog(language: str) -> dict[str, str]:
    """Every message in ``language``, English where a translation is missing."""
    return {**_load(FALLBACK), **_load(language)}


class Translator:
    """``t('box.open')`` for a template; ``{name}`` placeholders filled from keywords."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.messages = catalog(language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self.messages.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text
