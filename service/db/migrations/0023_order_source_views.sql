-- Order sources are channel-neutral. What each source view of an order
-- said (Shopify's webhooks and its synced orders today, other channels'
-- APIs later) is kept under the view's name in `views`, as the channel's
-- connector left it; `history` stays the history merged from the views.
-- Shopify's two columns become its two views: 'shopify.rest' and
-- 'shopify.graphql'.
ALTER TABLE order_sources ADD COLUMN views jsonb NOT NULL DEFAULT '{}'::jsonb;

UPDATE order_sources SET views =
       CASE WHEN rest IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('shopify.rest', rest) END
    || CASE WHEN graphql IS NULL THEN '{}'::jsonb
            ELSE jsonb_build_object('shopify.graphql', graphql) END
WHERE rest IS NOT NULL OR graphql IS NOT NULL;

ALTER TABLE order_sources DROP COLUMN rest, DROP COLUMN graphql;
