"""Pantau's ingest package."""
