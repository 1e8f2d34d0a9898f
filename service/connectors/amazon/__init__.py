"""Amazon Selling Partner API: settlement reports, orders, and their reading."""
