"""S2S purchase and cancel bodies (reference: lbs-s2s-purchase), parsed into use-case inputs."""

from typing import Annotated, Literal, Self

from pydantic import Field, StrictInt, StringConstraints, model_validator

from coffer.kit.schemas import JSON_SAFE_MAX, ApiModel, PlayerExternalId, SafeText
from coffer.operators.schemas import AnyCurrencyCode
from coffer.rounds.commands import Cancel, Purchase, Reel

MAX_REELS = 100
ClientActionId = Annotated[SafeText, StringConstraints(min_length=1, max_length=80)]
RoundPublicId = Annotated[str, StringConstraints(pattern=r"^r_[0-9A-HJKMNP-TV-Z]{26}$")]


class ReelIn(ApiModel):
    reel_index: Annotated[StrictInt, Field(ge=0, le=MAX_REELS - 1)]
    box_version_id: Annotated[StrictInt, Field(ge=1, le=JSON_SAFE_MAX)]


class PurchaseRequest(ApiModel):
    """Atomic open (default), prepay, or the open of a held round (``roundPublicId``)."""

    player_external_id: PlayerExternalId
    game_key: Literal["mystery_box"] = "mystery_box"
    mode: Literal["open", "prepay"] = "open"
    client_action_id: ClientActionId
    currency: AnyCurrencyCode | None = None
    reels: Annotated[list[ReelIn], Field(min_length=1, max_length=MAX_REELS)] | None = None
    funding: Literal["player", "operator"] = "player"
    round_public_id: RoundPublicId | None = None
    expected_price_minor: Annotated[StrictInt, Field(ge=0, le=10**15)] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.round_public_id is not None:
            if self.reels is not None or self.mode != "open":
                raise ValueError("opening a held round takes mode 'open', roundPublicId, no reels")
            return self
        if self.reels is None:
            raise ValueError("reels is required unless roundPublicId names a held round")
        indexes = [reel.reel_index for reel in self.reels]
        if len(set(indexes)) != len(indexes):
            raise ValueError("reelIndex values must be unique")
        return self

    def command(self) -> Purchase:
        reels = None
        if self.reels is not None:
            reels = tuple(Reel(r.reel_index, r.box_version_id) for r in self.reels)
        return Purchase(
            player_external_id=self.player_external_id,
            client_action_id=self.client_action_id,
            reels=reels,
            mode=self.mode,
            currency=self.currency,
            funding=self.funding,
            round_public_id=self.round_public_id,
            expected_price_minor=self.expected_price_minor,
            game_key=self.game_key,
        )


class CancelRequest(ApiModel):
    player_external_id: PlayerExternalId
    round_public_id: RoundPublicId
    idempotency_key: ClientActionId | None = None

    def command(self) -> Cancel:
        return Cancel(self.player_external_id, self.round_public_id)
