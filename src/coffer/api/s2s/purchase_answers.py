"""The purchase, open and cancel answers as models, for the API description.

The answers themselves are written by ``answers.py`` byte for byte (and replayed as stored);
these models describe them, and a test holds real answers to them field for field.
"""

from coffer.kit.schemas import ApiModel


class PrizeOut(ApiModel):
    """What a reel drew: an item (``itemId``) or cash (``itemId`` null)."""

    item_id: int | None
    name: str
    value_minor: int


class ReelOut(ApiModel):
    reel_index: int
    box_version_id: int
    prize: PrizeOut


class WonItemOut(ApiModel):
    """An item the round put in the player's vault."""

    inventory_item_id: int
    item_id: int
    name: str
    cashback_minor: int | None
    currency: str
    state: str


class FairnessOut(ApiModel):
    """What verifies the draw (SPEC §10) once the server seed is revealed."""

    server_seed_hash: str
    client_seed: str
    nonce: int
    algorithm_key: str


class SettledRound(ApiModel):
    public_id: str
    status: str
    bet_minor: int
    payout_minor: int
    currency: str
    funding: str
    settled_at: str
    reels: list[ReelOut]
    won_items: list[WonItemOut]
    fairness: FairnessOut


class SettledAnswer(ApiModel):
    """A settled round and the wallet's balance after it (null when the wallet gave none)."""

    round: SettledRound
    balance_after_minor: int | None


class HeldRound(ApiModel):
    public_id: str
    status: str
    bet_minor: int
    currency: str
    funding: str
    box_version_id: int
    box_version_ids: list[int]
    purchased_at: str


class HeldAnswer(ApiModel):
    """A prepaid round, held until it is opened or cancelled."""

    round: HeldRound
    balance_after_minor: int | None


class RefundedRound(ApiModel):
    public_id: str
    status: str
    refunded_minor: int
    currency: str


class RefundedAnswer(ApiModel):
    """A cancelled round and what was refunded."""

    round: RefundedRound
    balance_after_minor: int | None
