"""The vault: won items and bonus entitlements (listing and actions come with issue 4)."""
