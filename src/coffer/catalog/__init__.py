"""The catalog: items, boxes with drafts, and immutable published box versions."""
