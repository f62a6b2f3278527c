"""Provable fairness (SPEC §10): the draw algorithm and the offline verifier."""
