"""The command line (`coffer …`): one unit of work per command; `--help` on every one."""
