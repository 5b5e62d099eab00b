"""The command line and the HTTP API."""
