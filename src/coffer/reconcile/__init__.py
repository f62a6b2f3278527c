"""The reconciliation statement: a day's wallet instructions, totals and the wallet's view."""
