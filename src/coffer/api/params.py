"""Query and path parameters that several surfaces' routes share."""

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from coffer.kit.schemas import clean_text

ItemId = Annotated[int, Path(alias="itemId")]
BoxId = Annotated[int, Path(alias="boxId")]
Page = Annotated[int, Query(ge=1, le=10**9, description="1-based page number")]
PerPage = Annotated[int, Query(alias="perPage", ge=1, le=200)]
CurrencyQuery = Annotated[
    str | None, Query(pattern=r"^[A-Z]{3}$", description="Show prices in this currency")
]
LocaleQuery = Annotated[str | None, Query(max_length=35, description="e.g. 'en' or 'de-AT'")]

PublicId = Annotated[
    str, Path(alias="publicId", min_length=1, max_length=32), AfterValidator(clean_text)
]
Limit = Annotated[int, Query(ge=1, le=200, description="Rows per page, 1 to 200")]
CursorParam = Annotated[
    str | None, Query(max_length=200, description="``cursor.next`` of the page before")
]
