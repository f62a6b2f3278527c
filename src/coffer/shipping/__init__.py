"""Shipping orders: won items sent to the player (SPEC §7)."""
