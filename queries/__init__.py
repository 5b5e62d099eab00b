"""Relationship queries, recommendations and exports, written against the store interface."""
