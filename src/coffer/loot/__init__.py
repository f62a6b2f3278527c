"""Filling loots: granting a bundle's contents as items and virtual-currency credits."""
