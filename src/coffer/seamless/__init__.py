"""The operator wallet: signed RPCs, the record of every instruction, and the resolver."""
