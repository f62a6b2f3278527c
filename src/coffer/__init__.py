"""Coffer: a self-hostable loot box and player-inventory platform."""

__version__ = "0.1.0"
