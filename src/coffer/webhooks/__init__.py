"""Signed webhooks to the operator through a transactional outbox (SPEC §9)."""
