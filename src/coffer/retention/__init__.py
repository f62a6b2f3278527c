"""Retention and privacy: prune what is past its window; export and erase a player's personal data.

Money records (rounds, wallet instructions and attempts, ledger postings) are never pruned here.
"""
