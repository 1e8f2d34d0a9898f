"""Pushing the books to accounting systems: ledger summaries in, the
provider's client out; the ledger knows no provider."""
