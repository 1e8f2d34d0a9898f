-- Distribute storebooks' tables over a Citus cluster, by company.
--
-- Run once, on the coordinator, in the storebooks database, after
-- `storebooks migrate` has created the schema and before traffic starts
-- (deploy/citus/README.md has the whole procedure). Every table is
-- distributed by company_id and colocated with `companies`: all of one
-- company's rows live in the same shard group, on one node, so each
-- request, job and transaction of a company runs on that node alone.
-- tests/integration/test_citus_ready.py checks that this file names every
-- table of the schema, in an order where a table comes after the tables its
-- foreign keys point to, and that every key of every table holds company_id.
--
-- Reference tables (small, global, copied to every node): none today.
-- Kept on the coordinator only: schema_migrations (the migration runner's
-- own bookkeeping; migrations run through the coordinator, which sends the
-- DDL to every node).

BEGIN;

-- A few shards per node you expect to have; fixed once chosen (rebalancing
-- moves shards between nodes, it does not split them).
SET LOCAL citus.shard_count = 32;
-- Distributing tables that have foreign keys between them, in one
-- transaction, needs Citus to work over one connection per node.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
-- journal_lines carries two triggers (every entry balances; lines are never
-- updated). They must run on the shards, next to the rows they check.
SET LOCAL citus.enable_unsafe_triggers TO on;

-- The colocation anchor: one row per company.
SELECT create_distributed_table('companies', 'company_id');

-- Tables whose foreign keys point only at companies.
SELECT create_distributed_table('accounts', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('api_tokens', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('audit_log', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bank_accounts', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bank_rules', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bookkeeping_settings', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('books', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('books_dirty', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('books_retired', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('export_account_maps', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('export_connections', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('idempotency_keys', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('inventory_adjustments', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('inventory_connections', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('inventory_sku_maps', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('jobs', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('journal_entries', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('products', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('suppliers', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('stores', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('summary_journals', 'company_id', colocate_with => 'companies');

-- Tables with no foreign key (balances and per-version summaries are
-- rebuilt from the journal; they carry company_id first in their keys).
SELECT create_distributed_table('cogs_details', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('daily_balances', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('missing_cost_days', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('missing_costs', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('monthly_balances', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('order_skus', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('yearly_balances', 'company_id', colocate_with => 'companies');

-- Tables whose foreign keys point at stores, suppliers or journal_entries.
SELECT create_distributed_table('purchases', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('channel_restocks', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('channel_statuses', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('journal_lines', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('line_costs', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('recost_pending', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('manual_entries', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bill_payments', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('opening_balances', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('order_overrides', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('order_refetches', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('order_sources', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('order_summaries', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('processor_records', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('processor_accounts', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('processor_sync_runs', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('raw_events', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('sku_restocks', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('store_gateways', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('sync_runs', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('sync_state', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('marketplace_accounts', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('settlements', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('marketplace_orders', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('settlement_mappings', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bank_lines', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bank_explanations', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('deposit_links', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('bank_statement_balances', 'company_id', colocate_with => 'companies');
SELECT create_distributed_table('summary_pushes', 'company_id', colocate_with => 'companies');

COMMIT;
