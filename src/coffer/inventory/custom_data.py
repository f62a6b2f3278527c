"""The bounds of an instance's custom data (SPEC §12 key-value storage), no I/O."""

from coffer.inventory.errors import CustomDataTooLarge

MAX_KEYS = 20
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 1000


def check_custom_data(data: dict[str, str]) -> None:
    """At most 20 keys of 1-64 characters, each value a string of at most 1000; else 422."""
    fields: dict[str, str] = {}
    if len(data) > MAX_KEYS:
        fields["custom_data"] = f"at most {MAX_KEYS} keys per instance; this has {len(data)}"
    for key, value in data.items():
        if not 1 <= len(key) <= MAX_KEY_CHARS:
            fields[f"custom_data.{key[:MAX_KEY_CHARS]}"] = f"keys are 1-{MAX_KEY_CHARS} characters"
        elif not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
            fields[f"custom_data.{key}"] = f"a string of at most {MAX_VALUE_CHARS} characters"
    if fields:
        raise CustomDataTooLarge(fields=fields)
