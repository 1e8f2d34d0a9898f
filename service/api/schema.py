"""The GraphQL schema: the Query and Mutation roots, assembled from one file per field."""

from __future__ import annotations

import datetime as dt
import logging

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from service.api.errors import should_mask
from service.api.execution import PlainFieldExecution
from service.api.guard import guard_fields
from service.api.limits import extensions
from service.api.mutations.api_tokens import (
    CreateApiTokenPayload,
    RevokeApiTokenPayload,
    api_tokens,
    create_api_token,
    revoke_api_token,
)
from service.api.mutations.apply_order_action import ApplyOrderActionPayload, apply_order_action
from service.api.mutations.bank import (
    BankAccountPayload,
    BankLinePayload,
    BankRulePayload,
    ImportBankStatementPayload,
    MatchBankLinesPayload,
    categorise_bank_line,
    create_bank_account,
    create_bank_rule,
    delete_bank_rule,
    import_bank_statement,
    match_bank_line_to_payout,
    match_bank_lines,
    set_bank_csv_mapping,
    unexplain_bank_line,
)
from service.api.mutations.books import (
    AccountPayload,
    ClosingPayload,
    JournalEntryPayload,
    OpeningBalancesPayload,
    close_books,
    create_account,
    create_journal_entry,
    reopen_books,
    reverse_journal_entry,
    set_opening_balances,
    update_account,
)
from service.api.mutations.connect_inventory_system import (
    InventorySyncPayload,
    connect_inventory_system,
    sync_inventory_costs,
)
from service.api.mutations.connect_shopify_store import (
    ConnectShopifyStorePayload,
    connect_shopify_store,
)
from service.api.mutations.export_account_map import (
    ExportAccountMap,
    SetExportAccountMapPayload,
    export_account_map,
    set_export_account_map,
)
from service.api.mutations.inventory_connection import (
    TestInventoryConnectionPayload,
    test_inventory_connection,
)
from service.api.mutations.inventory_sku_mapping import (
    InventorySkuMapping,
    SetInventorySkuMappingPayload,
    inventory_sku_mappings,
    set_inventory_sku_mapping,
)
from service.api.mutations.marketplaces import (
    ConnectMarketplacePayload,
    ImportSettlementPayload,
    SetSettlementMappingPayload,
    SyncMarketplacePayload,
    connect_amazon_account,
    connect_tiktok_shop,
    import_amazon_settlement,
    set_settlement_mapping,
    sync_marketplace,
)
from service.api.mutations.processor_accounts import (
    ProcessorAccountPayload,
    connect_processor_account,
    sync_processor_account,
)
from service.api.mutations.purchasing import (
    BillPaymentPayload,
    InventoryAdjustmentPayload,
    SupplierPayload,
    create_supplier,
    record_bill_payment,
    record_inventory_adjustment,
)
from service.api.mutations.record_purchase import (
    RecordPurchasePayload,
    import_purchases_csv,
    record_purchase,
)
from service.api.mutations.resolve_missing_cost import (
    ResolveMissingCostPayload,
    resolve_missing_cost,
    resolve_missing_costs_by_sku,
)
from service.api.mutations.restocks import (
    RestockPayload,
    bulk_edit_restocks,
    import_restocks_csv,
    report_channel_restock,
    set_sku_restocks,
)
from service.api.mutations.retries import (
    RetryIngestEventPayload,
    RetryJobPayload,
    retry_ingest_event,
    retry_job,
)
from service.api.mutations.set_channel_status import SetChannelStatusPayload, set_channel_status
from service.api.mutations.set_gateway_mapping import (
    SetGatewayMappingPayload,
    set_gateway_mapping,
)
from service.api.mutations.sync_store import SyncStorePayload, sync_store
from service.api.mutations.update_bookkeeping_settings import (
    UpdateBookkeepingSettingsPayload,
    update_bookkeeping_settings,
)
from service.api.node import node
from service.api.queries.bank import (
    bank_accounts,
    bank_line,
    bank_lines,
    bank_reconciliation,
    bank_rules,
    clearing_accounts,
    payouts_without_deposit,
    processor_deposits_without_payout,
)
from service.api.queries.bookkeeping_settings import bookkeeping_settings
from service.api.queries.books_more import (
    InventoryValuation,
    NegativeStock,
    SupplierPayables,
    audit_log,
    books_closed_through,
    inventory_valuation,
    negative_stock,
    payables_aging,
)
from service.api.queries.books_status import books_status
from service.api.queries.chart_of_accounts import chart_of_accounts
from service.api.queries.cogs_report import CogsReport, PayoutChoice, cogs_report, payouts
from service.api.queries.costs import MissingCost, Restock, missing_costs, restocks
from service.api.queries.gateways import gateway_mappings
from service.api.queries.ingest_errors import ingest_errors
from service.api.queries.inventory_systems import InventorySystem, inventory_systems
from service.api.queries.journal_entries import journal_entries
from service.api.queries.orders import order, orders
from service.api.queries.posting_rules import posting_rules
from service.api.queries.processor_accounts import (
    processor_accounts,
    processor_payouts,
    processor_records_needing_review,
    processor_sync_runs,
)
from service.api.queries.products import product, products
from service.api.queries.settlements import (
    MarketplaceOverlap,
    marketplace_overlaps,
    settlements,
)
from service.api.queries.statements import (
    balance_sheet,
    cash_flow_statement,
    profit_and_loss,
    trial_balance,
)
from service.api.queries.stores import stores
from service.api.queries.sync_runs import sync_runs
from service.api.queries.viewer import Viewer, viewer
from service.api.types.account import Account
from service.api.types.api_token import ApiToken
from service.api.types.audit import AuditRecord
from service.api.types.bank import (
    BankAccount,
    BankLine,
    BankReconciliation,
    BankRule,
    ClearingAccount,
    Payout,
    ProcessorDeposit,
)
from service.api.types.books_status import BooksStatus
from service.api.types.connection import Connection
from service.api.types.gateway import GatewayMapping
from service.api.types.job import Job
from service.api.types.journal import JournalEntry
from service.api.types.money import CURRENCY_CODE_SCALAR, CurrencyCode
from service.api.types.order import Order
from service.api.types.posting_rule import PostingRule
from service.api.types.processor import (
    ProcessorAccount,
    ProcessorPayout,
    ProcessorRecordForReview,
    ProcessorSyncRun,
)
from service.api.types.product import Product
from service.api.types.settings import BookkeepingSettings
from service.api.types.settlement import Settlement
from service.api.types.statements import (
    BalanceSheet,
    CashFlowStatement,
    ProfitAndLoss,
    TrialBalance,
)
from service.api.types.store import Store
from service.api.types.sync import IngestError, SyncRun

log = logging.getLogger("storebooks.api")


@strawberry.type
class Query:
    node: relay.Node | None = strawberry.field(
        resolver=node, description="Any object of the company by its id; null when there is none."
    )
    viewer: Viewer = strawberry.field(
        resolver=viewer, description="Who is asking: the company and the token's role."
    )
    books_status: BooksStatus = strawberry.field(resolver=books_status)
    chart_of_accounts: list[Account] = strawberry.field(resolver=chart_of_accounts)
    bookkeeping_settings: BookkeepingSettings = strawberry.field(resolver=bookkeeping_settings)
    stores: list[Store] = strawberry.field(resolver=stores)
    sync_runs: Connection[SyncRun] = strawberry.field(
        resolver=sync_runs, description="Sync runs, newest first."
    )
    orders: Connection[Order] = strawberry.field(
        resolver=orders, description="Orders, newest first, by tab as on the Orders screen."
    )
    order: Order | None = strawberry.field(resolver=order)
    products: Connection[Product] = strawberry.field(resolver=products)
    product: Product | None = strawberry.field(resolver=product, description="A product by SKU.")
    inventory_sku_mappings: Connection[InventorySkuMapping] = strawberry.field(
        resolver=inventory_sku_mappings,
        description="Store SKUs mapped to an inventory system's products (packs, bundles).",
    )
    inventory_systems: list[InventorySystem] = strawberry.field(
        resolver=inventory_systems,
        description="The connected inventory systems (Finale, Goflow) and their latest syncs.",
    )
    missing_costs: Connection[MissingCost] = strawberry.field(
        resolver=missing_costs, description="Order lines whose COGS posted at 0 for want of a cost."
    )
    restocks: list[Restock] = strawberry.field(resolver=restocks)
    export_account_map: ExportAccountMap = strawberry.field(
        resolver=export_account_map,
        description="Which QuickBooks Online or Xero account each storebooks account goes to.",
    )
    payouts: list[PayoutChoice] = strawberry.field(
        resolver=payouts, description="Payouts and settlements, newest first, for cogsReport."
    )
    cogs_report: CogsReport = strawberry.field(
        resolver=cogs_report, description="COGS per period or payout, as CSV and XLSX files."
    )
    settlements: Connection[Settlement] = strawberry.field(
        resolver=settlements,
        description="Marketplace settlements and statements, with their deposits and COGS files.",
    )
    marketplace_overlaps: list[MarketplaceOverlap] = strawberry.field(
        resolver=marketplace_overlaps,
        description="Warnings: a store's orders from a marketplace also synced from it.",
    )
    journal_entries: Connection[JournalEntry] = strawberry.field(
        resolver=journal_entries, description="The journal, by date: drill down from statements."
    )
    posting_rules: list[PostingRule] = strawberry.field(
        resolver=posting_rules, description="The posting rules every journal entry names."
    )
    profit_and_loss: ProfitAndLoss = strawberry.field(
        resolver=profit_and_loss, description="Income and expenses over [from, to]."
    )
    balance_sheet: BalanceSheet = strawberry.field(
        resolver=balance_sheet, description="Balances at the end of asOf."
    )
    cash_flow_statement: CashFlowStatement = strawberry.field(
        resolver=cash_flow_statement,
        description="Where the cash went over [from, to] (indirect method).",
    )
    trial_balance: TrialBalance = strawberry.field(
        resolver=trial_balance,
        description="Balance sheet accounts at `to`, income and expenses over [from, to].",
    )
    ingest_errors: Connection[IngestError] = strawberry.field(
        resolver=ingest_errors, description="Received events that failed, newest first."
    )
    api_tokens: list[ApiToken] = strawberry.field(
        resolver=api_tokens, description="The company's API tokens (ADMIN tokens only)."
    )
    gateway_mappings: list[GatewayMapping] = strawberry.field(
        resolver=gateway_mappings,
        description="Each store's payment gateways and what the books take them for;"
        " needsReview lists gateways seen for the first time.",
    )

    books_closed_through: dt.date | None = strawberry.field(
        resolver=books_closed_through,
        description="The books are closed through this day: its entries never change.",
    )
    payables_aging: list[SupplierPayables] = strawberry.field(
        resolver=payables_aging, description="What each supplier is owed on a day, by age."
    )
    negative_stock: list[NegativeStock] = strawberry.field(
        resolver=negative_stock, description="SKUs sold beyond what was received."
    )
    inventory_valuation: InventoryValuation = strawberry.field(
        resolver=inventory_valuation,
        description="Units on hand per SKU at the end of a day, at cost.",
    )
    audit_log: Connection[AuditRecord] = strawberry.field(
        resolver=audit_log, description="Who changed what in the books, newest first."
    )
    bank_accounts: list[BankAccount] = strawberry.field(
        resolver=bank_accounts, description="The company's bank accounts."
    )
    bank_lines: Connection[BankLine] = strawberry.field(
        resolver=bank_lines, description="Imported bank lines by date, and how each is explained."
    )
    bank_line: BankLine | None = strawberry.field(resolver=bank_line)
    bank_rules: list[BankRule] = strawberry.field(
        resolver=bank_rules, description="Saved rules that categorise future bank lines."
    )
    payouts_without_deposit: list[Payout] = strawberry.field(
        resolver=payouts_without_deposit,
        description="Processor payouts with no bank line once their matching window is over.",
    )
    processor_deposits_without_payout: list[ProcessorDeposit] = strawberry.field(
        resolver=processor_deposits_without_payout,
        description="Unexplained deposits from a processor that no payout accounts for.",
    )
    bank_reconciliation: BankReconciliation | None = strawberry.field(
        resolver=bank_reconciliation,
        description="A bank account's closing balance on a day against the books.",
    )
    clearing_accounts: list[ClearingAccount] = strawberry.field(
        resolver=clearing_accounts,
        description="RIP, each processor's undeposited funds and Bank in transit on a day,"
        " with the items that keep them from zero.",
    )
    processor_accounts: list[ProcessorAccount] = strawberry.field(
        resolver=processor_accounts, description="Connected PayPal and Stripe accounts."
    )
    processor_sync_runs: Connection[ProcessorSyncRun] = strawberry.field(
        resolver=processor_sync_runs, description="PayPal and Stripe sync runs, newest first."
    )
    processor_payouts: list[ProcessorPayout] = strawberry.field(
        resolver=processor_payouts,
        description="PayPal and Stripe payouts to the bank, by the processor's own date.",
    )
    processor_records_needing_review: list[ProcessorRecordForReview] = strawberry.field(
        resolver=processor_records_needing_review,
        description="Processor records of a type the rules do not know, newest first "
        "(processor: shopify_payments, paypal or stripe).",
    )


@strawberry.type
class Mutation:
    set_export_account_map: SetExportAccountMapPayload = strawberry.mutation(
        resolver=set_export_account_map,
        description="Map storebooks accounts to QuickBooks Online or Xero accounts (exports "
        "and pushes list every account with activity left unmapped and send nothing).",
    )
    update_bookkeeping_settings: UpdateBookkeepingSettingsPayload = strawberry.mutation(
        resolver=update_bookkeeping_settings,
        description="Change the accounting basis or fulfillment tracking; re-posts the books.",
    )
    connect_shopify_store: ConnectShopifyStorePayload = strawberry.mutation(
        resolver=connect_shopify_store,
        description="Connect a Shopify shop and start its backfill.",
    )
    apply_order_action: ApplyOrderActionPayload = strawberry.mutation(
        resolver=apply_order_action,
        description="Set an action on up to 250 orders; they are re-posted at once.",
    )
    set_channel_status: SetChannelStatusPayload = strawberry.mutation(
        resolver=set_channel_status,
        description="Include, exclude or split a sales channel; its orders are re-posted.",
    )
    set_gateway_mapping: SetGatewayMappingPayload = strawberry.mutation(
        resolver=set_gateway_mapping,
        description="Say whether a payment gateway is a processor, offline money or gift"
        " cards; the store's orders are re-posted when that changes what posts.",
    )
    record_purchase: RecordPurchasePayload = strawberry.mutation(
        resolver=record_purchase, description="A receipt of goods; product costs move with it."
    )
    import_purchases_csv: RecordPurchasePayload = strawberry.mutation(
        resolver=import_purchases_csv, description="Many receipts at once; all rows or none."
    )
    resolve_missing_cost: ResolveMissingCostPayload = strawberry.mutation(
        resolver=resolve_missing_cost, description="Give an order line's unit cost by hand."
    )
    resolve_missing_costs_by_sku: ResolveMissingCostPayload = strawberry.mutation(
        resolver=resolve_missing_costs_by_sku,
        description="Give a unit cost to every order missing one for a SKU.",
    )
    connect_inventory_system: InventorySyncPayload = strawberry.mutation(
        resolver=connect_inventory_system,
        description="Connect Finale Inventory or Goflow and fetch order line costs from it.",
    )
    sync_inventory_costs: InventorySyncPayload = strawberry.mutation(
        resolver=sync_inventory_costs, description="Fetch costs from the inventory system now."
    )
    test_inventory_connection: TestInventoryConnectionPayload = strawberry.mutation(
        resolver=test_inventory_connection,
        description="Fetch one shipped order's cost from the inventory system now and show it.",
    )
    set_inventory_sku_mapping: SetInventorySkuMappingPayload = strawberry.mutation(
        resolver=set_inventory_sku_mapping,
        description="Say which inventory products (packs, bundles) make one unit of a store SKU.",
    )
    report_channel_restock: RestockPayload = strawberry.mutation(resolver=report_channel_restock)
    set_sku_restocks: RestockPayload = strawberry.mutation(resolver=set_sku_restocks)
    bulk_edit_restocks: RestockPayload = strawberry.mutation(resolver=bulk_edit_restocks)
    import_restocks_csv: RestockPayload = strawberry.mutation(resolver=import_restocks_csv)
    create_api_token: CreateApiTokenPayload = strawberry.mutation(
        resolver=create_api_token,
        description="A new API token with a name, a role and an optional expiry (ADMIN).",
    )
    revoke_api_token: RevokeApiTokenPayload = strawberry.mutation(
        resolver=revoke_api_token, description="Revoke an API token at once (ADMIN)."
    )
    retry_ingest_event: RetryIngestEventPayload = strawberry.mutation(
        resolver=retry_ingest_event,
        description="Process a failed event again, after the cause of its failure is fixed.",
    )
    retry_job: RetryJobPayload = strawberry.mutation(
        resolver=retry_job, description="Run a failed background job again."
    )
    sync_store: SyncStorePayload = strawberry.mutation(
        resolver=sync_store, description="Sync a connected store now."
    )
    connect_amazon_account: ConnectMarketplacePayload = strawberry.mutation(
        resolver=connect_amazon_account,
        description="Connect an Amazon seller account and fetch its settlements.",
    )
    connect_tiktok_shop: ConnectMarketplacePayload = strawberry.mutation(
        resolver=connect_tiktok_shop,
        description="Connect a TikTok shop (Open API 202309) and fetch its statements.",
    )
    import_amazon_settlement: ImportSettlementPayload = strawberry.mutation(
        resolver=import_amazon_settlement,
        description="Upload a settlement report downloaded from Seller Central (flat file V2).",
    )
    set_settlement_mapping: SetSettlementMappingPayload = strawberry.mutation(
        resolver=set_settlement_mapping,
        description="Place a marketplace amount no rule knows; its settlements are re-posted.",
    )
    sync_marketplace: SyncMarketplacePayload = strawberry.mutation(
        resolver=sync_marketplace, description="Fetch a marketplace account's settlements now."
    )
    connect_processor_account: ProcessorAccountPayload = strawberry.mutation(
        resolver=connect_processor_account,
        description="Connect a store's PayPal or Stripe account and read its records.",
    )
    sync_processor_account: ProcessorAccountPayload = strawberry.mutation(
        resolver=sync_processor_account,
        description="Read a PayPal or Stripe account's new records now.",
    )

    close_books: ClosingPayload = strawberry.mutation(
        resolver=close_books,
        description="Lock every entry on or before a day; later changes post adjustments.",
    )
    reopen_books: ClosingPayload = strawberry.mutation(
        resolver=reopen_books, description="Open the books again from a day; they are re-posted."
    )
    create_journal_entry: JournalEntryPayload = strawberry.mutation(
        resolver=create_journal_entry, description="A balanced entry made by hand."
    )
    reverse_journal_entry: JournalEntryPayload = strawberry.mutation(
        resolver=reverse_journal_entry, description="Undo a manual entry by reversing it."
    )
    set_opening_balances: OpeningBalancesPayload = strawberry.mutation(
        resolver=set_opening_balances,
        description="The balances on the first day: inventory by SKU and any other account.",
    )
    create_account: AccountPayload = strawberry.mutation(
        resolver=create_account, description="An account of the company's own."
    )
    update_account: AccountPayload = strawberry.mutation(
        resolver=update_account, description="Rename, regroup or deactivate an account."
    )
    create_supplier: SupplierPayload = strawberry.mutation(resolver=create_supplier)
    record_bill_payment: BillPaymentPayload = strawberry.mutation(
        resolver=record_bill_payment, description="Pay a supplier's bill(s) from the bank."
    )
    create_bank_account: BankAccountPayload = strawberry.mutation(
        resolver=create_bank_account,
        description="A bank account: its own account under Bank, with an opening balance.",
    )
    set_bank_csv_mapping: BankAccountPayload = strawberry.mutation(
        resolver=set_bank_csv_mapping,
        description="Which columns of the bank's CSV export hold what.",
    )
    import_bank_statement: ImportBankStatementPayload = strawberry.mutation(
        resolver=import_bank_statement,
        description="Import an OFX/QFX, camt.053 or CSV statement; all lines or none.",
    )
    match_bank_lines: MatchBankLinesPayload = strawberry.mutation(
        resolver=match_bank_lines,
        description="Match every unexplained bank line to a processor payout where one fits.",
    )
    match_bank_line_to_payout: BankLinePayload = strawberry.mutation(
        resolver=match_bank_line_to_payout, description="Match a bank line to a payout by hand."
    )
    categorise_bank_line: BankLinePayload = strawberry.mutation(
        resolver=categorise_bank_line,
        description="Cash payment for store orders, a transfer, or any account.",
    )
    unexplain_bank_line: BankLinePayload = strawberry.mutation(
        resolver=unexplain_bank_line,
        description="Take back a line's match, link or category; what it posted goes.",
    )
    create_bank_rule: BankRulePayload = strawberry.mutation(
        resolver=create_bank_rule, description="Categorise future lines by payee and amount."
    )
    delete_bank_rule: BankRulePayload = strawberry.mutation(resolver=delete_bank_rule)
    record_inventory_adjustment: InventoryAdjustmentPayload = strawberry.mutation(
        resolver=record_inventory_adjustment,
        description="Units counted short, damaged or written off, at the cost of the day.",
    )


guard_fields(Query, Mutation)


class StorebooksSchema(strawberry.Schema):
    """Logs an error the client caused (a refused document, a ClientError) as
    one line; only unexpected errors get their traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if should_mask(e)]
        for e in errors:
            if not should_mask(e):
                log.info("request refused: %s", " ".join(e.message.split())[:500])
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = StorebooksSchema(
    query=Query,
    mutation=Mutation,
    types=[Job, Store, ApiToken],
    extensions=extensions(),
    execution_context_class=PlainFieldExecution,
    config=StrawberryConfig(scalar_map={CurrencyCode: CURRENCY_CODE_SCALAR}),
)


def schema_sdl() -> str:
    return schema.as_str() + "\n"
