"""PayPal as a payment processor: Transaction Search records and withdrawals."""
