"""Player orders (SPEC §14): typed entries applied together or one by one, with promotions."""
