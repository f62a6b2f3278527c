"""Server-rendered pages: the player app's shell at /play and its static files."""
