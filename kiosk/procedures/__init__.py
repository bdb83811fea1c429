"""Procedures: the catalog model, its loader and the wizard engine (no Qt)."""
