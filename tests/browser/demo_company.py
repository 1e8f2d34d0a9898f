"""Make a demo company in the database of DATABASE_URL and print its token.

`python -m tests.browser.demo_company [name]` prints {"companyId", "apiToken"}:
the same company `storebooks dev` makes (one store, the demo orders posted),
made on its own so a test can start `storebooks serve` beside it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

import asyncpg

from service.db.connect import create_pool
from service.ledger.companies import create_company, create_store
from service.ledger.demo import load_demo_activity


async def make(name: str) -> dict[str, str]:
    url = os.environ["DATABASE_URL"]
    conn = await asyncpg.connect(url)
    try:
        created = await create_company(conn, name)
        store = await create_store(
            conn, created.company_id, "Demo Shopify store", timezone="America/New_York"
        )
    finally:
        await conn.close()
    pool = await create_pool(url)
    try:
        await load_demo_activity(pool, created.company_id, store.store_id)
    finally:
        await pool.close()
    return {"companyId": str(created.company_id), "apiToken": created.api_token}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(make(sys.argv[1] if len(sys.argv) > 1 else "Demo Company"))))
