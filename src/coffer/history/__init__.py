"""A player's money history (SPEC §7): the wallet instructions joined with their rounds."""
