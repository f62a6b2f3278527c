"""The player's balance, read from the operator's wallet (``wallet.balance``, SPEC §8).

A read moves no money, so it is not an instruction: nothing is stored, and each read carries a
fresh idempotency key.
"""

from ulid import ULID

from coffer.kit.errors import CofferError, Forbidden, WalletUnavailable
from coffer.operators.models import Operator
from coffer.seamless.client import Accepted, Refused, WalletRequest
from coffer.seamless.service import Gateway


class PlayerBlocked(Forbidden):
    code = "PLAYER_BLOCKED"
    default_message = "The casino has blocked this player."


class BalanceRefused(CofferError):
    code = "WALLET_REFUSED"
    default_message = "The wallet refused to tell this player's balance."


async def read_balance(
    gateway: Gateway, operator: Operator, player_external_id: str, currency: str
) -> int:
    """The balance in minor units of ``currency``, as the wallet answers it now."""
    if operator.wallet_url is None:
        raise WalletUnavailable("No wallet URL is configured for this operator; set walletUrl.")
    request = WalletRequest("wallet.balance", f"balance:{ULID()}", player_external_id, 0, currency)
    outcome = (await gateway.client.call(gateway.target(operator), request)).outcome
    if isinstance(outcome, Accepted) and outcome.balance_after_minor is not None:
        return outcome.balance_after_minor
    if isinstance(outcome, Refused):
        if outcome.code == "PLAYER_BLOCKED":
            raise PlayerBlocked(outcome.message)
        raise BalanceRefused(f"The wallet refused: {outcome.code}: {outcome.message}")
    raise WalletUnavailable("The wallet did not tell the balance; retry in a moment.")
