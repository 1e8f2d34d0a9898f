"""The merchant's main jobs, in a real browser, on the demo company.

Sign in with the token, read the overview, open an unpaid order and read
its entries and why they exist, void an order and see the statement move,
link a bank deposit to an unpaid order,
resolve a missing cost, upload a restock file with a bad line and see the
line named, switch the accounting basis and watch the re-post finish.
Each page is photographed at a laptop's and a phone's width.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, Dashboard

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def page(browser: Any, dashboard: Dashboard) -> Iterator[Any]:
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(15_000)
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    # Refused scripts or styles (the Content-Security-Policy) show as console errors.
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.goto(dashboard.base + "/")
    p.get_by_label("API token").fill(dashboard.token)
    p.get_by_role("button", name="Sign in").click()
    p.locator(".kpi").first.wait_for()
    yield p
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def shoot(page: Any, name: str) -> None:
    """The page as it is, at a laptop's width and then a phone's."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-laptop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(LAPTOP)


def goto(page: Any, dashboard: Dashboard, hash_: str) -> None:
    page.goto(f"{dashboard.base}/#/{hash_}")
    page.wait_for_function("h => document.body.dataset.ready === h", arg=f"#/{hash_}")


def test_sign_in_refuses_a_wrong_token_and_keeps_it_out_of_the_url(
    browser: Any, dashboard: Dashboard
) -> None:
    context = browser.new_context(viewport=PHONE)
    p = context.new_page()
    p.goto(dashboard.base + "/")
    p.get_by_label("API token").fill("sb_wrong-token-000000000000000000000000000")
    p.get_by_role("button", name="Sign in").click()
    p.get_by_role("alert").wait_for()
    assert "token" in p.get_by_role("alert").inner_text().lower()
    p.screenshot(path=str(SCREENSHOTS / "signin-phone.png"))
    assert "sb_" not in p.url
    context.close()


def test_overview_shows_the_figures_and_the_chart(page: Any, dashboard: Dashboard) -> None:
    goto(page, dashboard, "overview")
    labels = page.locator(".kpi .label").all_inner_texts()
    assert labels == [
        "Net sales",
        "Gross profit",
        "Net income",
        "Cash",
        "Accounts receivable",
        "Inventory value",
    ]
    net_sales = page.locator(".kpi .value").first.inner_text()
    assert re.search(r"\$\d", net_sales), net_sales
    assert page.locator("svg.chart rect").count() >= 1
    assert "up to date" in page.locator("#books-status").inner_text()
    shoot(page, "overview")


def test_unpaid_order_page_shows_its_entries_and_why(page: Any, dashboard: Dashboard) -> None:
    goto(page, dashboard, "orders?tab=UNPAID")
    rows = page.locator("table.orders tbody tr")
    assert rows.count() >= 1
    shoot(page, "orders-unpaid")
    rows.first.get_by_role("link").click()
    page.locator("h1", has_text="Order #").wait_for()
    page.locator("article.entry").first.wait_for()
    entry = page.locator("article.entry").first
    assert "Why:" in entry.locator(".explanation").first.inner_text()
    assert entry.locator("table.lines tbody tr").count() >= 2
    assert page.locator(".timeline li").count() >= 2
    shoot(page, "order")


def _pl_net_sales(page: Any, dashboard: Dashboard) -> str:
    goto(page, dashboard, "statements?kind=pl&preset=12m")
    row = page.locator("#profit-and-loss tr.total", has_text="Net sales")
    return str(row.locator("td").last.inner_text())


def test_voiding_an_order_changes_the_statements(page: Any, dashboard: Dashboard) -> None:
    before = _pl_net_sales(page, dashboard)
    shoot(page, "statements")
    goto(page, dashboard, "orders?tab=ALL&q=%231002")
    page.get_by_label("Select #1002").check()
    page.get_by_label("Action").select_option("VOID")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("dialog").get_by_role("button", name="Void").click()
    page.locator(".notice.success").wait_for()
    after = _pl_net_sales(page, dashboard)
    assert after != before, (before, after)
    with page.expect_download() as got:
        page.get_by_role("button", name="Download XLSX").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(got.value.path()).read_text()
    assert "Net sales" in text and after.replace("$", "").replace(",", "") in text
    # Every amount drills down to its entries, and from there to the order.
    page.locator("#profit-and-loss tbody tr", has_text="Gross sales").locator("a").last.click()
    page.locator("table.journal tbody tr").first.wait_for()
    shoot(page, "journal")
    page.locator("table.journal tbody tr a").first.click()
    page.locator("h1", has_text="Order #").wait_for()


def test_statement_columns_by_channel_drill_to_their_channel(
    page: Any, dashboard: Dashboard
) -> None:
    goto(page, dashboard, "statements?kind=pl&preset=12m&columns=CHANNEL")
    heads = page.locator("#profit-and-loss thead th").all_text_contents()
    assert "pos" in heads and "web" in heads, heads
    column = heads.index("pos")
    row = page.locator("#profit-and-loss tbody tr", has_text="Gross sales")
    row.locator("th, td").nth(column).locator("a").click()
    page.locator("table.journal tbody tr").first.wait_for()
    assert "channel pos" in page.locator("main").inner_text()
    shoot(page, "journal-by-channel")


def test_a_missing_cost_is_resolved(page: Any, dashboard: Dashboard) -> None:
    goto(page, dashboard, "costs")
    rows = page.locator("table.missing-costs tbody tr")
    count = rows.count()
    assert count >= 1
    shoot(page, "costs")
    first = rows.first
    first.locator("input").fill("8.00")
    first.get_by_role("button").click()
    page.wait_for_function(
        "n => document.querySelectorAll('table.missing-costs tbody tr').length < n", arg=count
    )


def test_a_restock_file_with_a_bad_line_is_refused_with_the_line_named(
    page: Any, dashboard: Dashboard
) -> None:
    goto(page, dashboard, "costs")
    form = page.locator("form.bulk-restocks")
    form.get_by_label("Or a CSV file").set_input_files(
        files=[
            {
                "name": "restocks.csv",
                "mimeType": "text/csv",
                "buffer": b"sku,month,units\nMUG-BLUE,2026-11,2\nTEE-M,not-a-month,1\n",
            }
        ]
    )
    form.get_by_role("button", name="Save").click()
    error = form.locator(".field-error .error-line").first
    error.wait_for()
    assert re.search(r"\bline 3\b", error.inner_text(), re.I), error.inner_text()
    assert "Nothing was saved" in form.locator(".saved").inner_text()
    form.scroll_into_view_if_needed()
    shoot(page, "restock-error")
    assert page.locator("table.restocks").count() == 0  # nothing of the bad file was kept
    form.get_by_label("Or a CSV file").set_input_files(
        files=[
            {
                "name": "restocks.csv",
                "mimeType": "text/csv",
                "buffer": b"sku,month,units\nMUG-BLUE,2026-11,2\nTEE-M,2026-11,1\n",
            }
        ]
    )
    form.get_by_role("button", name="Save").click()
    page.locator("table.restocks tbody tr").nth(1).wait_for()


def test_switching_the_basis_shows_the_repost_reach_done(page: Any, dashboard: Dashboard) -> None:
    goto(page, dashboard, "settings")
    channels = page.locator("table.channels tbody tr").all_inner_texts()
    assert len(channels) == 2 and "pos" in channels[0] and "web" in channels[1]
    page.get_by_label("Accrual").check()
    page.get_by_role("button", name="Save and re-post").click()
    box = page.locator("#basis-job")
    box.locator("progress").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#basis-job').dataset.state === 'done'", timeout=60_000
    )
    assert page.evaluate("document.querySelector('#basis-job progress').value") == 1
    assert "Done" in box.inner_text()
    shoot(page, "settings")


def test_a_read_only_token_made_in_settings_sees_no_actions(
    page: Any, browser: Any, dashboard: Dashboard
) -> None:
    goto(page, dashboard, "settings")
    page.get_by_label("Name", exact=True).fill("accountant (read only)")
    page.get_by_label("Role").select_option("READ_ONLY")
    page.get_by_role("button", name="Create token").click()
    token = page.locator(".notice.success code").inner_text()
    context = browser.new_context(viewport=LAPTOP)
    reader = context.new_page()
    reader.goto(dashboard.base + "/#/orders")
    reader.get_by_label("API token").fill(token)
    reader.get_by_role("button", name="Sign in").click()
    reader.locator(".role").wait_for()
    assert reader.locator(".role").inner_text() == "read only"
    reader.goto(dashboard.base + "/#/orders")
    reader.wait_for_function("() => document.body.dataset.ready === '#/orders'")
    assert reader.locator("form.action-bar").count() == 0
    assert "read only" in reader.locator("main").inner_text()
    context.close()


def test_graphiql_is_served_from_local_files(page: Any, dashboard: Dashboard) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(dashboard.base + "/graphql")
    page.locator(".graphiql-container").first.wait_for()
    page.locator(".graphiql-editors, .graphiql-editor").first.wait_for()
    page.locator(".graphiql-execute-button").click()
    page.locator(".result-window", has_text="Demo Company").wait_for()
    outside = [
        u for u in requested if not u.startswith(dashboard.base) and not u.startswith("data:")
    ]
    assert outside == []
    shoot(page, "graphiql")


def _gql(dashboard: Dashboard, query: str, variables: dict[str, Any] | None = None) -> Any:
    import httpx

    answer = httpx.post(
        dashboard.base + "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {dashboard.token}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    return answer["data"]


def test_a_bank_deposit_is_linked_to_an_unpaid_order(page: Any, dashboard: Dashboard) -> None:
    """Seed 002: an order paid by bank transfer stays unpaid until its
    payment is linked to the deposit that brought the money in."""
    unpaid = _gql(
        dashboard,
        "{ orders(first: 1, filter: {tab: UNPAID}) { nodes { name openBalance { amount } } } }",
    )["orders"]["nodes"][0]
    bank = _gql(
        dashboard,
        'mutation { createBankAccount(input: {accountKey: "BANK_TRANSFERS", name: "Transfers",'
        ' currencyCode: "USD", openingDate: "2020-01-01"}) { bankAccount { id } } }',
    )["createBankAccount"]["bankAccount"]["id"]
    _gql(
        dashboard,
        'mutation($id: ID!) { setBankCsvMapping(input: {bankAccountId: $id, date: "Date",'
        ' description: "Description", amount: "Amount"}) { bankAccount { id } } }',
        {"id": bank},
    )
    import datetime as dt

    amount = unpaid["openBalance"]["amount"]
    csv = f"Date,Description,Amount\n{dt.date.today()},TRANSFER {unpaid['name']},{amount}\n"
    _gql(
        dashboard,
        "mutation($id: ID!, $csv: String!) { importBankStatement(input: {bankAccountId: $id,"
        " content: $csv}) { linesNew } }",
        {"id": bank, "csv": csv},
    )
    name = unpaid["name"]
    goto(page, dashboard, f"orders?tab=UNPAID&q={name.replace('#', '%23')}")
    page.get_by_label(f"Select {name}").check()
    page.get_by_label("Action").select_option("LINK_PAYMENT")
    page.locator("select.deposit-select option", has_text="TRANSFER").wait_for(state="attached")
    page.get_by_label("Deposit").select_option(index=1)
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("dialog").get_by_role("button", name="Link payment").click()
    page.locator(".notice.success").wait_for()
    shoot(page, "link-payment")
    left = _gql(dashboard, "{ orders(first: 250, filter: {tab: UNPAID}) { nodes { name } } }")
    assert name not in {o["name"] for o in left["orders"]["nodes"]}
