-- Every unique index holds company_id, so that each company's rows can live
-- on one node of a Citus cluster (deploy/citus/README.md). The two lookups
-- that do not know the company yet stay indexed:
--   * an API token by its hash (a hash of 256 random bits: unique by
--     construction, the index was unique only by habit);
--   * a store by its shop domain (webhooks name only the shop). A domain
--     still belongs to one company at a time: connecting a store takes a
--     transaction lock on the domain before it looks for an owner.
DROP INDEX api_tokens_hash;
CREATE INDEX api_tokens_hash ON api_tokens (token_hash);

DROP INDEX stores_shop_domain;
CREATE UNIQUE INDEX stores_company_shop_domain ON stores (company_id, shop_domain)
    WHERE shop_domain IS NOT NULL;
CREATE INDEX stores_shop_domain ON stores (shop_domain) WHERE shop_domain IS NOT NULL;
