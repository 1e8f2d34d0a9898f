"""Exports: the books as files other tools read (spreadsheets, plain-text
ledgers, accounting-system imports) and summary journals.

Channel-neutral: this package knows no connector; the formatters are pure
(rows in, bytes or text out) and the readers only read the ledger.
"""
