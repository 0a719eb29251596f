"""A client's allowed origins on the wire (Gatehouse's own, under ``/gatehouse/``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr

from gatehouse.domain.origins import MAX_ORIGIN_LENGTH, MAX_ORIGINS
from gatehouse.http.schemas.common import WireModel


class AllowedOriginsIn(WireModel):
    """The whole list; ``[]`` lets every origin the deployment allows through. Each origin is
    checked and normalised by the domain (``validate_origins``)."""

    AllowedOrigins: list[Annotated[StrictStr, Field(max_length=MAX_ORIGIN_LENGTH)]] = Field(
        max_length=MAX_ORIGINS
    )
