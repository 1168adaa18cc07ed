"""Upload leads (issue 11), a manager of the demo org: a small CSV file with one bad row is read to the end
(the progress bar reaches all rows, the counts), the rejected row is listed with why, and the rejected
rows download as CSV; a file without the phone column is refused with the problem named."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go, unique

pytestmark = pytest.mark.browser
MANAGER = "manager@demo.test"


def _phone() -> str:
    return f"+1{random.choice(['212', '312', '646', '718'])}555{random.randrange(10_000):04d}"


def test_an_upload_with_a_bad_row_reads_to_the_end_and_lists_the_rejected_row(app, tmp_path: Path):
    first, second = unique("Upa"), unique("Upb")
    csv_text = ("\ufeffphone,first_name,last_name,email,state,loan_amount\r\n"
                f"{_phone()},{first},Upload,{first.lower()}@example.com,NY,250000\r\n"
                "not a phone,Bad,\"Row, Jr.\",,TX,\r\n"
                f"{_phone()},{second},Upload,,CA,\r\n")
    path = tmp_path / "leads.csv"
    path.write_text(csv_text, encoding="utf-8")

    page = app.page(MANAGER, width=1440, height=900)
    go(page, "Upload leads")
    expect(page.locator("#main h1")).to_have_text("Upload leads")
    expect(page.get_by_role("complementary", name="The file")).to_contain_text("At most 20,000 rows and 5 MB")
    page.get_by_role("button", name="Upload").click()  # nothing chosen yet: said at each field
    expect(page.get_by_text("Choose a CSV file.")).to_be_visible()
    expect(page.get_by_text("Choose the campaign the leads belong to.")).to_be_visible()

    page.get_by_label("CSV file").set_input_files(str(path))
    expect(page.locator(".upload-drop")).to_contain_text("leads.csv")
    page.get_by_role("combobox", name="Campaign").select_option(label="Demo: store only")
    page.get_by_role("radio", name=re.compile("^Add to a call list")).check()
    expect(page.get_by_role("combobox", name="Call list")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^Fresh bucket")).check()
    expect(page.get_by_role("combobox", name="Call list")).to_have_count(0)
    app.shot(page, "manager-upload-1440")
    page.get_by_role("button", name="Upload").click()

    bar = page.get_by_role("progressbar", name="Rows read")
    expect(bar).to_have_attribute("aria-valuemax", "3")
    expect(page.get_by_test_id("upload-state")).to_contain_text("Done.", timeout=60_000)
    expect(bar).to_have_attribute("aria-valuenow", "3")
    counts = page.locator(".upload-counts")
    for term, value in (("rows", "3"), ("accepted", "2"), ("rejected", "1"), ("duplicates", "0")):
        expect(counts.locator(f'[data-count="{term}"] dd')).to_have_text(value)
    rejected = page.get_by_role("region", name="Rejected rows")
    line = rejected.locator('tr[data-row="3"]')
    expect(line).to_contain_text("Row 3")
    expect(line).to_contain_text("phone")
    expect(rejected.locator("tbody tr")).to_have_count(1)
    app.shot(page, "manager-upload-done-1440", full_page=True)

    with page.expect_download() as got:
        rejected.get_by_role("button", name="Download rejected rows (CSV)").click()
    text = Path(got.value.path()).read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    assert lines[0].startswith("row,field,reason"), text
    assert len(lines) == 2 and lines[1].startswith("3,phone,"), text
    assert "not a phone" in lines[1] and "Row, Jr." in lines[1], text

    small = app.page(MANAGER, width=390, height=844)
    small.goto("/app/uploads")
    expect(small.get_by_role("combobox", name="Campaign")).to_be_visible()
    app.shot(small, "manager-upload-390", full_page=True)
    assert small.evaluate("document.documentElement.scrollWidth") <= 390

    # the same file with the same choices again: the server answers the earlier upload (nothing is read
    # twice), and the page shows what it did rather than "Done. 0 of 3" with empty counts
    small.get_by_label("CSV file").set_input_files(str(path))
    small.get_by_role("combobox", name="Campaign").select_option(label="Demo: store only")
    small.get_by_role("button", name="Upload").click()
    expect(small.get_by_role("status").filter(has_text="was uploaded before")).to_be_visible()
    expect(small.get_by_test_id("upload-state")).to_have_text("Done. 3 of 3 rows read.")
    counts = small.locator(".upload-counts")
    for term, value in (("read", "3"), ("accepted", "2"), ("rejected", "1")):
        expect(counts.locator(f'[data-count="{term}"] dd')).to_have_text(value)
    expect(small.get_by_role("region", name="Rejected rows").locator("tbody tr")).to_have_count(1)
    app.shot(small, "manager-upload-again-390", full_page=True)


def test_a_file_without_the_phone_column_is_refused_with_the_problem_named(app, tmp_path: Path):
    path = tmp_path / "nophone.csv"
    path.write_text("first_name,last_name\nAnn,Nophone\n", encoding="utf-8")
    page = app.page(MANAGER, width=390, height=844)
    page.goto("/app/uploads")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("combobox", name="Campaign").select_option(label="Demo: store only")
    page.get_by_role("button", name="Upload").click()
    alert = page.locator(".upload-form [role=alert]")
    expect(alert).to_contain_text("The file was not accepted")
    expect(alert).to_contain_text("phone")
    expect(page.get_by_role("progressbar")).to_have_count(0)
    app.shot(page, "manager-upload-refused-390", full_page=True)
