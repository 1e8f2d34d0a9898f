"""QuickBooks Online Accounting API: journal entries, batched."""
