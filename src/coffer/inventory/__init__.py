"""The inventory (SPEC §7, §12): item instances per player, their states, cashout, expiry,
forwarding and bonus entitlements. The internal economy will extend it with stacks,
consumables and containers."""
