"""The reference casino: the operator's side of Coffer's seamless wallet and webhooks.

Operators read this package as a worked example of what their own backend must do when Coffer
calls it (SPEC §8 and §9); tests and the demo run it for real.

- ``POST /casino/wallet``: the wallet RPC. Verifies the HMAC signature made with the operator's
  outbound secret, is idempotent by ``idempotencyKey`` (a retry gets the original answer, a reused
  key with a different instruction gets 409), never lets a balance go below zero, and honours a
  rollback that arrives before its debit by leaving a tombstone.
- ``POST /casino/webhooks``: the webhook receiver. Verifies the signature and processes each
  ``Webhook-Id`` once, answering 2xx to redeliveries.
- ``/casino/players/…``, ``/casino/ledger``, ``/casino/webhooks/events``: the casino's own back
  office (unsigned, loopback only), used by the demo and by tests.
"""

from coffer_casino.settings import WALLET_PATH, WEBHOOK_PATH, CasinoSettings

__all__ = ["WALLET_PATH", "WEBHOOK_PATH", "CasinoSettings"]
