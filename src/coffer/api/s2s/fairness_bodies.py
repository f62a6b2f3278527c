"""S2S fairness bodies: a player's commitment, and the rotation that reveals the old seed."""

from typing import Annotated

from pydantic import StringConstraints

from coffer.kit.schemas import ApiModel, PlayerExternalId, SafeText, UtcTime


class FairnessState(ApiModel):
    server_seed_hash: str
    client_seed: str
    next_nonce: int
    algorithm_key: str


class RotateRequest(ApiModel):
    """Reveal the active server seed; ``clientActionId`` makes a retry answer the same."""

    player_external_id: PlayerExternalId
    client_action_id: Annotated[SafeText, StringConstraints(min_length=1, max_length=80)]
    client_seed: str | None = None


class RevealedPair(ApiModel):
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonces_used: int
    revealed_at: UtcTime


class RotateResponse(ApiModel):
    revealed: RevealedPair
    current: FairnessState
