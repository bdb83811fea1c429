"""Receipts: 80 mm roll PDFs with ReportLab, in the citizen's language."""
