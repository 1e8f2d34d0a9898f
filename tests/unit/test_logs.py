"""JSON log lines carry the request or job they were written for."""

from __future__ import annotations

import json
import logging

from service import logs
from service.api.observability import graphql_operation


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("storebooks.test", logging.INFO, __file__, 1, message, args, None)


def test_json_lines_name_the_request_and_the_job() -> None:
    formatter = logs.JsonFormatter()
    plain = json.loads(formatter.format(_record("started")))
    assert plain["message"] == "started" and plain["level"] == "info"
    assert "request_id" not in plain and "job_id" not in plain

    token = logs.request_id.set("req-1")
    job = logs.job_id.set("job-9")
    try:
        line = json.loads(formatter.format(_record("posted %d orders", 3)))
    finally:
        logs.request_id.reset(token)
        logs.job_id.reset(job)
    assert line["request_id"] == "req-1" and line["job_id"] == "job-9"
    assert line["message"] == "posted 3 orders"
    assert line["time"].endswith("+00:00")


def test_graphql_operations_are_named_by_schema_root_fields_only() -> None:
    assert graphql_operation("{ booksStatus { upToDate } }", None) == "query booksStatus"
    assert graphql_operation("query A { trialBalance(from: 1) { x } }", "A") == (
        "query trialBalance"
    )
    assert graphql_operation("mutation { updateBookkeepingSettings { x } }", None) == (
        "mutation updateBookkeepingSettings"
    )
    # client-chosen names never become label values
    assert graphql_operation("{ madeUpField123 }", None) == "query other"
    assert graphql_operation("query A { booksStatus }", "B") == "graphql invalid"
    assert graphql_operation("{ not graphql", None) == "graphql invalid"


def test_long_documents_are_named_without_filling_the_cache() -> None:
    from service.api.observability import operation_label

    graphql_operation.cache_clear()
    long_query = "{ booksStatus { upToDate } }" + " " * 20_000
    assert operation_label(long_query, None) == "query booksStatus"
    assert graphql_operation.cache_info().currsize == 0
