"""The app's catalogs and the verifier page's headers."""

import json
import re

import httpx
import pytest

from coffer.web.messages import CATALOGS, Translator, language_of, languages


def test_every_catalog_has_every_message_and_the_same_placeholders() -> None:
    english = json.loads((CATALOGS / "en.json").read_text("utf-8"))
    assert "de" in languages()
    for language in languages():
        other = json.loads((CATALOGS / f"{language}.json").read_text("utf-8"))
        assert set(other) == set(english), language
        for key, text in english.items():
            assert set(re.findall(r"\{\w+\}", other[key])) == set(re.findall(r"\{\w+\}", text))


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de-AT", "de"), ("de", "de"), ("DE_ch", "de"), ("en-GB", "en"), ("fr", "en"), (None, "en")],
)
def test_a_locale_picks_its_language_or_english(locale: str | None, language: str) -> None:
    assert language_of(locale) == language


def test_placeholders_are_filled() -> None:
    assert Translator("de")("box.freeLeft", count=2) == "Gratis-Öffnungen übrig: 2"


async def test_the_verifier_page_runs_no_inline_script_and_frames_nowhere(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/fairness/verify?round=r_01K000000000000000000000&lang=de")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy
    assert '<html lang="de">' in page.text
    assert "Eine Runde prüfen" in page.text
    assert re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", page.text) == ["/play/static/verify.js"]
