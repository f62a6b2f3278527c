"""S2S bodies for a player's fairness state and seed rotation."""

from coffer.kit.schemas import ApiModel, PlayerExternalId, UtcTime


class FairnessState(ApiModel):
    server_seed_hash: str
    client_seed: str
    next_nonce: int
    algorithm_key: str


class RotateRequest(ApiModel):
    player_external_id: PlayerExternalId
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
