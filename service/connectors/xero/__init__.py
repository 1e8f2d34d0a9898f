"""Xero Accounting API: manual journals."""
