"""TikTok Shop Open API (version 202309): finance statements, payments, orders."""
