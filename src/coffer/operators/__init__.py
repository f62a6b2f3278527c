"""Operators (tenants), their S2S keys, admin tokens and currencies."""
