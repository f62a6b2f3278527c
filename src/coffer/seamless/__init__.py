"""The operator's seamless wallet (SPEC §8): signed RPCs, the record of every instruction, the one
write-send-record sequence, and the resolver. It knows nothing of the features that use it."""
