"""The player half: launches an operator mints over S2S and the sessions of the player app."""
