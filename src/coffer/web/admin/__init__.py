"""The back office at /admin: server-rendered pages on the admin API's own use cases."""
