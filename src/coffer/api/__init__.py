"""HTTP surfaces: one folder per surface, each parsing, calling one use case and rendering."""
