"""Rounds: purchases, prepaid boxes, opens and cancels (SPEC §6)."""
