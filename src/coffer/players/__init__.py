"""Players: an operator's end users, known by their external id."""
