"""Rate limits shared by every node through the database."""
