"""Downloadable reports: pure formatting of rows the ledger has read."""

from service.ledger.reports.cogs import COGS_COLUMNS, CogsRow, cogs_csv, cogs_table, cogs_xlsx

__all__ = ["COGS_COLUMNS", "CogsRow", "cogs_csv", "cogs_table", "cogs_xlsx"]
