"""A Python client for Coffer's S2S API, for the operator's backend.

```python
from coffer.client import CofferClient

with CofferClient("http://127.0.0.1:8000", key_id, secret) as coffer:
    round_ = coffer.purchase("u_8431", [1], client_action_id="click-1")["round"]
```

``AsyncCofferClient`` is the same for asyncio. Calls that carry their own key (purchases,
cashouts, postings, rotations, cancels) and reads retry on a dropped connection or a 5xx with
the same key, so they apply once; the rest go once. ``send(calls.…)`` reaches any call, and
``verify_webhook`` checks the webhooks Coffer sends.
"""

from coffer.client import calls, errors
from coffer.client.aio import AsyncCofferClient
from coffer.client.errors import CofferApiError, CofferConnectionError, WebhookVerificationError
from coffer.client.sync import CofferClient
from coffer.client.webhooks import verify_webhook

__all__ = [
    "AsyncCofferClient",
    "CofferApiError",
    "CofferClient",
    "CofferConnectionError",
    "WebhookVerificationError",
    "calls",
    "errors",
    "verify_webhook",
]
