"""What staff need beside the API integrators use: a player's whole picture, and the money
instructions a person must reconcile (SPEC §8, §13)."""
