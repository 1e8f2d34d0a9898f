"""The registry of posting rules: every rule id a journal entry can carry.

A journal entry names its rule by id (``cash.payment``, ``processor.charge``).
This registry turns that id into something a person can check: the section
of the project's posting rules it implements, a title, an explanation in an
accountant's words, and the one function that posts it, so "why is this line
here?" always has an answer. Pure data: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.domain.processor import RecordKind
from service.posting import (
    accrual,
    bank,
    cash,
    engine,
    manual,
    marketplace,
    period_lock,
    processor,
    purchases,
    restocks,
    stock,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One posting rule.

    ``function`` is the function whose entries carry this id. It is None for
    a rule the contract defines but the engine does not emit yet (the entry
    kind is registered ahead, so ids never go unexplained once it lands).
    """

    id: str
    section: str
    title: str
    explanation: str
    function: Callable[..., Any] | None

    @property
    def posted_by(self) -> str | None:
        """``module.function`` of the poster, as a reader would look it up."""
        if self.function is None:
            return None
        return f"{self.module}.{self.function.__qualname__}"

    @property
    def module(self) -> str | None:
        """The poster's module; a method compiled with mypyc names it only
        through its class."""
        fn = self.function
        if fn is None:
            return None
        found = getattr(fn, "__module__", None) or getattr(
            getattr(fn, "__objclass__", None), "__module__", None
        )
        return str(found) if found else None


def _r(rid: str, section: str, title: str, function: Callable[..., Any] | None, text: str) -> Rule:
    return Rule(rid, section, title, " ".join(text.split()), function)


_ORDER_RULES: tuple[Rule, ...] = (
    _r(
        "cash.payment",
        "6.1",
        "Cash basis: payment received",
        cash.payment,
        """Cash basis. A successful payment through a processor (a sale or a
        capture) recognises its share of the order on the payment date: Dr
        Reconciliation in process (or Dr Gift cards and store credit when paid
        with a gift card), Cr Gross sales, Dr Discounts, Cr Shipping income,
        Cr Tip income and Cr Sales tax payable, pro rata to the part of the
        order this payment settles. Money beyond what the order still owes is
        credited to Gross sales, since cash books have no receivable to hold
        it.""",
    ),
    _r(
        "cash.deposit",
        "6.2",
        "Cash basis: bank deposit linked to an unpaid order",
        cash.deposit,
        """Cash basis. A manual or offline payment (cash, cheque, bank
        transfer, cash on delivery) posts nothing when it is recorded; the
        order stays unpaid until a bank deposit is linked to it. The link
        recognises the sales the deposit settles on the deposit's date: Dr
        Bank for the deposit, Dr the account the link names for any
        difference (fees, discounts), and the order's sales, discounts,
        shipping, tips and tax credited pro rata.""",
    ),
    _r(
        "cash.refund",
        "6.4",
        "Cash basis: refund",
        cash.refund,
        """Cash basis. A refund reverses, line by line and on the refund date,
        what had been recognised of the refunded lines: Dr Refunds and returns
        their full gross (less any money kept back, such as a return fee), Cr
        Discounts the discounts they carried, Dr Shipping income and Dr Sales
        tax payable what is refunded of them, and Cr Reconciliation in process
        (or Gift cards and store credit, or Bank for cash handed back) the
        money returned. The part of the lines the customer never paid was
        never recognised and is not reversed.""",
    ),
    _r(
        "cash.settle",
        "6.1",
        "Cash basis: order worth nothing, recognised when placed",
        cash.placed,
        """Cash basis. An order whose total is zero although it has sales
        components (a line discounted in full, for example) will never
        receive a payment to recognise it, so it is recognised when placed:
        Cr Gross sales and the other components, Dr Discounts, netting to
        zero.""",
    ),
    _r(
        "accrual.placed",
        "7.1",
        "Accrual basis: order placed",
        accrual.placed,
        """Accrual basis. When the order is placed, the customer owes its
        total: Dr Accounts receivable, Cr Deferred revenue for the order
        total, on the placement date. Nothing is income yet: revenue waits
        for the goods to ship. Gift cards sold are credited straight to Gift
        cards and store credit, a liability from the moment they are
        issued.""",
    ),
    _r(
        "accrual.recognise",
        "7.2",
        "Accrual basis: revenue recognised on fulfilment",
        accrual.recognise,
        """Accrual basis. On the effective fulfilment date (the placement date
        under placed-date tracking, or each real shipment under
        fulfilled-date tracking) the shipped part of the order moves out of
        deferred revenue: Dr Deferred revenue, Cr Gross sales, Dr Discounts,
        Cr Shipping income, Cr Tip income, Cr Sales tax payable. Shipping and
        tips follow the goods pro rata; whatever is left is recognised once
        nothing remains to ship.""",
    ),
    _r(
        "accrual.payment",
        "7.3",
        "Accrual basis: payment received",
        accrual.payment,
        """Accrual basis. A successful payment through a processor settles
        the receivable on the payment date: Dr Reconciliation in process (or
        Dr Gift cards and store credit for a gift card), Cr Accounts
        receivable. It touches no income account: the revenue follows the
        goods.""",
    ),
    _r(
        "accrual.deposit",
        "7.3",
        "Accrual basis: bank deposit linked to an unpaid order",
        accrual.deposit,
        """Accrual basis. A manual or offline payment posts nothing until a
        bank deposit is linked to the order; the link then settles the
        receivable on the deposit's date: Dr Bank the deposit, Dr the
        account the link names for any difference, Cr Accounts receivable
        the total settled.""",
    ),
    _r(
        "accrual.refund",
        "7.4",
        "Accrual basis: refund or cancellation of lines",
        accrual.refund,
        """Accrual basis. A refund of recognised lines reverses them line by
        line against the receivable: Dr Refunds and returns their gross (less
        money kept back), Cr Discounts, Dr Shipping income, Dr Sales tax
        payable. Lines not yet recognised (not shipped under fulfilled-date
        tracking) are a cancellation with no effect on profit: Dr Deferred
        revenue, Cr Accounts receivable. The money going back is Dr Accounts
        receivable, Cr Reconciliation in process (or Gift cards and store
        credit).""",
    ),
    _r(
        "accrual.bad_debt",
        "7.8",
        "Accrual basis: uncollected balance written off",
        accrual.bad_debt,
        """Accrual basis. When the merchant closes an order's uncollected
        balance (an order action with a date), what the customer still owes
        is written off at the end of that day: Dr Bad debt, Cr Accounts
        receivable. Cash books post nothing, since the unpaid sale was never
        recognised.""",
    ),
    _r(
        "accrual.overcollected",
        "7.9",
        "Accrual basis: over-collected balance kept as sales",
        accrual.overcollected,
        """Accrual basis. When the merchant closes an over-collected order
        (the customer paid more than the order, and the store keeps it), the
        credit on the receivable becomes income on the date of the order's
        last activity: Dr Accounts receivable, Cr Gross sales. Cash books
        already recognised that money when it came in.""",
    ),
    _r(
        "accrual.cancel_unpaid",
        "13.6",
        "Accrual basis: recognised, never paid, cancelled",
        accrual.cancel_unpaid,
        """Accrual basis. An order cancelled after it was recognised and never
        paid has nothing to refund, and the channel may send no refund at
        all, so its receivable would stay open for ever. What the order
        still holds is reversed line by line as a refund with no money: Dr
        Refunds and returns the gross, Cr Discounts, Dr Shipping income, Dr
        Sales tax payable; the part not recognised yet (fulfilled-date
        tracking) comes out of Deferred revenue; Cr Accounts receivable, so
        the receivable closes. Units costed at placement that never shipped
        go back to inventory (rule cogs.restock).""",
    ),
    _r(
        "accrual.exchange",
        "6.4",
        "Accrual basis: an exchange's price difference",
        accrual.exchange_difference,
        """Accrual basis. An exchange made in Shopify sends a replacement out
        in place of the units that came back: neither is a sale or a
        refund, only the restock and the replacement's cost of goods post.
        When the replacement is worth more, the difference is owed from the
        exchange on: Dr Accounts receivable, Cr Deferred revenue, recognised
        as sales when the replacement ships and cleared by the customer's
        payment. A cheaper replacement adds nothing; the money handed back
        is a refund.""",
    ),
    _r(
        "cogs.fulfillment",
        "6.3",
        "Cost of goods sold on fulfilment",
        engine._ship,
        """Both bases. On the effective fulfilment date (placement or the real
        shipment, by the store's tracking setting) the cost of the units
        shipped leaves inventory: Dr Cost of goods sold, Cr Inventory, per
        SKU, at the unit cost resolved for the order line (by hand, from the
        inventory system, or from the product's own costing). A line with no
        known cost posts at zero and is listed as a missing cost.""",
    ),
    _r(
        "cogs.restock",
        "6.5",
        "Restocked units back to inventory",
        engine._refund,
        """Both bases. Units a refund puts back in stock return to inventory
        on the refund date at the same unit cost their cost of goods sold was
        posted at: Dr Inventory, Cr Cost of goods sold (Cr Product giveaways
        for a giveaway order). Only units whose cost was posted come back; a
        refund alone never touches cost of goods sold.""",
    ),
    _r(
        "giveaway.cost",
        "8",
        "Giveaway order: product cost to marketing",
        engine._ship,
        """An order marked as a giveaway has no sales, receivable or
        payments; the cost of the goods shipped is a marketing expense: Dr
        Product giveaways, Cr Inventory, on the effective fulfilment date, at
        the unit cost of each line.""",
    ),
    _r(
        "cogs_only.payment",
        "8",
        "COGS-only order: payment is gross sales",
        engine._cogs_only_money_in,
        """An order whose sales are not posted but whose cost of goods is
        (an exchange order made by a returns app, or a channel set to COGS
        only) can still receive money, such as an exchange upsell. That
        money is recognised as income on its date, on either basis: Dr
        Reconciliation in process (or Bank for a linked deposit), Cr Gross
        sales.""",
    ),
    _r(
        "cogs_only.refund",
        "8",
        "COGS-only order: money paid back",
        engine._refund,
        """Money paid back on a COGS-only order reverses the sales its
        payments created: Dr Refunds and returns, Cr Reconciliation in
        process (or Gift cards and store credit, or Bank), on the refund
        date, on either basis.""",
    ),
)

# What each kind of processor record is, and the account it moves money
# against (the other side is always that processor's undeposited funds).
_PROCESSOR_KINDS: dict[RecordKind, tuple[str, str]] = {
    RecordKind.CHARGE: (
        "Processor record of a payment",
        """The processor's own record of a payment: Dr Undeposited funds (that
        processor), Cr Reconciliation in process for the gross, which clears
        what the order's payment put there; its fee is Dr Payment processing
        fees, Cr Undeposited funds.""",
    ),
    RecordKind.REFUND: (
        "Processor record of a refund",
        """The processor's own record of money refunded to a customer: Cr
        Undeposited funds (that processor), Dr Reconciliation in process,
        which clears what the order's refund took out of it; any fee is Dr
        Payment processing fees, Cr Undeposited funds.""",
    ),
    RecordKind.FEE_REFUND: (
        "Processing fee given back",
        """A processing fee the processor gives back on a refund (an
        adjustment pointing at an order transaction): Dr Undeposited funds,
        Cr Payment processing fees.""",
    ),
    RecordKind.DISPUTE: (
        "Dispute (chargeback) opened",
        """A customer's dispute takes the money back: Dr Chargebacks and
        disputes the disputed amount and Dr Payment processing fees the
        dispute fee, Cr Undeposited funds (that processor).""",
    ),
    RecordKind.DISPUTE_WON: (
        "Dispute won",
        """A dispute the merchant won returns the money: Dr Undeposited funds,
        Cr Chargebacks and disputes (and the fee back to Payment processing
        fees when the processor returns it).""",
    ),
    RecordKind.RESERVE_HOLD: (
        "Funds held in reserve",
        """The processor holds part of the balance in reserve: Dr Funds held
        in processor reserves, Cr Undeposited funds (that processor).""",
    ),
    RecordKind.RESERVE_RELEASE: (
        "Reserve released",
        """The processor releases a reserve: Dr Undeposited funds (that
        processor), Cr Funds held in processor reserves.""",
    ),
    RecordKind.UNKNOWN: (
        "Processor record of an unknown type",
        """A processor record of a type the rules do not know is never
        dropped: Dr Undeposited funds, Cr Reconciliation in process, and the
        record is listed as needing review so a person can reclassify it.""",
    ),
}


def processor_rule_id(kind: RecordKind) -> str:
    """The rule id the engine writes on a processor record of ``kind``."""
    return f"processor.{kind.value.lower()}"


_PROCESSOR_RULES: tuple[Rule, ...] = tuple(
    _r(
        processor_rule_id(kind),
        "11",
        title,
        processor._balance_transaction,
        text + " Dated on the store's local date of the record's timestamp.",
    )
    for kind, (title, text) in _PROCESSOR_KINDS.items()
)

_OTHER_RULES: tuple[Rule, ...] = (
    _r(
        "processor.payout",
        "11",
        "Payout to the bank",
        processor._payout,
        """A processor pays its balance out to the bank: Dr Bank, Cr
        Undeposited funds (that processor); a payout fee is Dr Bank and FX
        fees; a failed payout is a negative payout. Dated on the processor's
        own payout date and matched by its id, since processor batches close
        at midnight UTC, not in store time.""",
    ),
    _r(
        "restock.channel",
        "10.1",
        "Channel-level restock or COGS reported by hand",
        restocks.post_channel_restock,
        """For channels whose restocks are not synced, a person reports a
        cost of goods amount for a channel and a period. A negative amount is
        a restock, Dr Inventory, Cr Cost of goods sold; a positive one is
        extra cost of goods sold, Dr Cost of goods sold, Cr Inventory. Dated
        at the period's end.""",
    ),
    _r(
        "restock.sku",
        "10.2",
        "SKU-level restock reported by hand",
        restocks.post_sku_restock,
        """Units restocked for a SKU on a channel in a month, reported one by
        one or in bulk: Dr Inventory, Cr Cost of goods sold for the units at
        the SKU's unit cost, dated at the month's end.""",
    ),
    _r(
        "bank.opening",
        "16.1",
        "Bank account opening balance",
        bank.post_bank_opening,
        """A bank account's balance on the day its feed starts: Dr the bank
        account (a sub-ledger of Bank), Cr Opening balance equity.""",
    ),
    _r(
        "bank.payout_matched",
        "16.2",
        "Bank line matched to a processor payout",
        bank.post_bank_line,
        """A bank line of the same amount as a processor payout, within a
        few days of it, confirms the payout. The payout itself posted Dr
        Bank, Cr Undeposited funds; the line only moves that money into the
        bank account's sub-ledger: Dr the bank account, Cr Bank. Nothing is
        counted twice.""",
    ),
    _r(
        "bank.deposit_linked",
        "16.3",
        "Bank deposit linked to orders",
        bank.post_bank_line,
        """A deposit linked to unpaid orders: each order posts its share
        against Bank (cash basis: its sales; accrual: Cr Accounts
        receivable); the line moves the deposit into the bank account's
        sub-ledger: Dr the bank account, Cr Bank.""",
    ),
    _r(
        "bank.store_cash",
        "16.4",
        "Cash payment received for store orders",
        bank.post_bank_line,
        """A deposit categorised as cash payment received for store orders,
        with no order named: accrual basis, Dr the bank account, Cr Accounts
        receivable (the store's unlinked balance); cash basis, Dr the bank
        account, Cr Gross sales.""",
    ),
    _r(
        "bank.transfer",
        "16.4",
        "Transfer between own bank accounts",
        bank.post_bank_line,
        """Money moved between two of the company's bank accounts: Dr the
        account it reached, Cr the account it left. The other account's
        line of the same transfer posts nothing.""",
    ),
    _r(
        "bank.categorised",
        "16.4",
        "Bank line categorised to an account",
        bank.post_bank_line,
        """A bank line put to an account by hand or by a saved rule (an
        expense, an owner's draw, a loan): Dr the bank account, Cr that
        account for money in; the other way round for money out.""",
    ),
    _r(
        "period.adjustment",
        "15.2",
        "Adjustment to a closed period",
        period_lock.fold_into_closed_period,
        """The books are closed through a date and a later change (a setting,
        a cost, an order action, a late webhook) would alter an entry on or
        before it. The closed period is left as it was and the difference is
        posted on the first open date, its memo naming the date and the
        cause.""",
    ),
    _r(
        "purchase.receipt",
        "14.1",
        "Purchase received",
        purchases.post_purchase,
        """Units received from a supplier: Dr Inventory for their cost, freight
        and duties included, Cr Accounts payable (that supplier) on the
        receipt date; a purchase paid at once credits the bank instead.""",
    ),
    _r(
        "purchase.payment",
        "14.1",
        "Bill paid",
        purchases.post_bill_payment,
        """A supplier's bill paid: Dr Accounts payable (that supplier), Cr
        Bank on the payment date, closing what the purchase left owing.""",
    ),
    _r(
        "inventory.adjustment",
        "14.2",
        "Inventory adjustment",
        stock.adjustment_entries,
        """Units counted short, damaged or written off: Dr Inventory
        adjustments, Cr Inventory, at the cost the company's costing method
        gives those units on the day.""",
    ),
    _r(
        "cogs.true_up",
        "14.4",
        "Cost true-up of units sold before they arrived",
        stock.true_up_entries,
        """Units sold while none were on hand were charged to cost of goods sold
        at the last known cost. The receipt that fills them posts the
        difference to their real cost on its date (Dr Cost of goods sold, Cr
        Inventory, or the reverse), so inventory holds exactly what the units
        on hand cost.""",
    ),
    _r(
        "opening.balances",
        "14.3",
        "Opening balances",
        manual.post_opening_balances,
        """A company starting mid-life enters its balances on a date: inventory
        per SKU at cost and any other account, with the difference to Opening
        balance equity, so the balance sheet balances from the first day.""",
    ),
    _r(
        "manual.entry",
        "15.1",
        "Manual journal entry",
        manual.post_manual_entry,
        """A balanced entry a person made, dated, with a memo, on any account
        but the order sub-ledgers. A re-post never touches it; it is changed
        only by a reversing entry.""",
    ),
)

_MARKETPLACE_RULES: tuple[Rule, ...] = (
    _r(
        "marketplace.sale",
        "17",
        "Marketplace sale recognised on its shipment date",
        marketplace._Poster.recognise,
        """A marketplace (Amazon, TikTok Shop) collects the customer's money
        and reports it in its settlement. On the posted (shipment) date,
        under both bases: Dr Reconciliation in process (that marketplace),
        Cr Gross sales the principal, Cr Shipping income, Cr Sales tax
        payable, Dr Discounts the merchant's promotions. Tax the marketplace
        collects and remits itself (marketplace facilitator tax) is posted
        collected and remitted in the same entry, two lines netting to zero,
        the remitted side against Reconciliation in process.""",
    ),
    _r(
        "marketplace.refund",
        "17",
        "Marketplace refund, line by line",
        marketplace._Poster.recognise,
        """A refund in a settlement reverses the sale line by line on its
        posted date: Dr Refunds and returns the principal given back, Cr
        Discounts the promotion reversed, Dr Shipping income, Dr Sales tax
        payable, Cr Reconciliation in process the money returned. A refund
        alone never touches cost of goods sold; restocks are reported by
        hand.""",
    ),
    _r(
        "marketplace.settle",
        "17",
        "Marketplace settlement record: RIP cleared, fees and reserves",
        marketplace._Poster.settle,
        """The settlement's own record of an order's money on a day clears
        Reconciliation in process into Undeposited funds (that marketplace),
        with what the marketplace kept or moved at the same time:
        commissions and referral fees to Selling fees, fulfilment, storage
        and label fees to Fulfillment fees, advertising to Advertising,
        reserves held or released to Funds held in processor reserves,
        inventory reimbursements to Other income.""",
    ),
    _r(
        "marketplace.unknown",
        "17",
        "Marketplace amount no rule knows",
        marketplace._Poster.unknown,
        """A settlement amount whose combination of type and description no
        rule knows is never dropped: Dr Undeposited funds (that marketplace),
        Cr Needs review (Uncategorized) for money received, the reverse for
        money taken, one entry per line, and the line is listed for review
        with the marketplace's own words.""",
    ),
    _r(
        "marketplace.cogs",
        "17",
        "Marketplace units sold: cost of goods",
        marketplace._Poster.cost,
        """Units a settlement reports as shipped post their cost on the
        shipment date: Dr Cost of goods sold, Cr Inventory at the SKU's unit
        cost, per SKU. A unit with no known cost posts at zero and is listed
        as missing a cost.""",
    ),
    _r(
        "marketplace.deposit",
        "17",
        "Marketplace settlement deposited to the bank",
        marketplace._Poster.deposit,
        """The settlement's total is paid to the bank on its deposit date:
        Dr Bank, Cr Undeposited funds (that marketplace); a negative total
        (the merchant owed the marketplace) runs the other way. Once every
        line and the deposit are posted the marketplace's undeposited funds
        for the settlement are zero.""",
    ),
)

RULES: tuple[Rule, ...] = _ORDER_RULES + _PROCESSOR_RULES + _OTHER_RULES + _MARKETPLACE_RULES
_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rule_for(rule_id: str) -> Rule:
    """The registered rule of an entry's rule id; KeyError when unknown.

    ``processor.<kind>`` resolves whatever the case of the kind
    (``processor.CHARGE`` and ``processor.charge`` are one rule)."""
    rule = _BY_ID.get(rule_id)
    if rule is None and rule_id.startswith("processor."):
        rule = _BY_ID.get(rule_id.lower())
    if rule is None:
        raise KeyError(f"no posting rule {rule_id!r}")
    return rule


def find_rule(rule_id: str) -> Rule | None:
    """Like ``rule_for``, None for an id the registry does not know."""
    try:
        return rule_for(rule_id)
    except KeyError:
        return None
