"""Responsible play: kill switches and per-player limits, checked inside the purchase."""
