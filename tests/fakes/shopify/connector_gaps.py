"""Where the connector and the real Admin API disagree, found by the fake.

Each constant is the reason of the ``xfail(strict=True)`` marks on the
tests that hit it; when the connector (service/, the lead's to change) is
fixed, those tests pass, strict xfail fails them, and the marks go.
"""

PAYOUT_LINE_IS_TRANSFER = (
    "connector bug: a payout's own balance transaction is type TRANSFER in Admin GraphQL"
    " (ShopifyPaymentsTransactionType has no PAYOUT), but normalize_graphql._PAYOUT_ITSELF"
    " drops only 'payout', so the payout's own line is kept and the payout counted twice"
)
