"""A shipping address and contact: what an order must carry, checked wherever it comes from."""

from typing import Annotated

import pycountry
from pydantic import AfterValidator, StringConstraints

from coffer.kit.schemas import ApiModel, SafeText, clean_text

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^\+?[0-9][0-9 ().\-]{2,31}$"


def text(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


def _country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code (any case in, upper case out)."""
    code = value.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code such as 'DE'")
    return code


Line = Annotated[SafeText, text(200)]
Short = Annotated[SafeText, text(100)]
Country = Annotated[str, StringConstraints(min_length=2, max_length=2), AfterValidator(_country)]
Phone = Annotated[str, StringConstraints(pattern=PHONE)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=EMAIL), AfterValidator(clean_text)]
Carrier = Annotated[SafeText, text(64)]
Tracking = Annotated[SafeText, text(128)]


class Address(ApiModel):
    name: Line
    line1: Line
    line2: Line | None = None
    city: Short
    region: Short
    postal_code: Annotated[SafeText, text(20)]
    country: Country
    phone: Phone | None = None


class Contact(ApiModel):
    email: Email
