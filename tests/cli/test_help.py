"""Every command's and option's help reads as one clean line: no breaks, no stray spaces."""

from collections.abc import Iterator
from typing import Any

import typer

from coffer.cli.main import app


def commands(command: Any, path: str = "coffer") -> Iterator[tuple[str, Any]]:
    """The command and every subcommand under it (Typer's groups keep them in ``commands``)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, f"{path} {name}")


def test_help_texts_are_single_clean_lines() -> None:
    found = list(commands(typer.main.get_command(app)))
    problems = []
    for path, command in found:
        texts = {"help": (command.help or "").split("\n\n")[0]}
        texts |= {param.name or "?": getattr(param, "help", None) or "" for param in command.params}
        for name, text in texts.items():
            if "\n" in text.strip() or "  " in text or text != text.strip():
                problems.append(f"{path} {name}: {text!r}")
    assert problems == []
    assert len(found) > 20
