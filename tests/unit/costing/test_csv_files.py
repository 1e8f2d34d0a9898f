"""CSV files from spreadsheets: any line ending reads, and a file the csv
module cannot read at all is a refusal, never a crash."""

from __future__ import annotations

import pytest

from service.posting.restocks import CsvFileError, parse_csv


def test_old_mac_line_endings_read_as_lines() -> None:
    assert parse_csv("sku,units\rMUG,3\r") == [{"sku": "MUG", "units": "3"}]


def test_a_field_past_the_size_limit_is_refused_with_a_reason() -> None:
    with pytest.raises(CsvFileError, match="not a readable CSV file"):
        parse_csv("sku\n" + "x" * 200_000 + "\n")
