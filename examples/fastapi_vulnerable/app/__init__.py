"""Ledger: a small invoicing API (FastAPI, SQLAlchemy, JWT bearer tokens)."""
