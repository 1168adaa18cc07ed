"""The README's vendor-format examples (issue 14), run as written against the local stack: the
demo org's two posting profiles (a form post answered in XML, an XML post answered in text) and
a format a profile does not take, each answered as the README says."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import requests

from infra.local.process import LocalStackProcess
from tests.events import ROOT

pytestmark = [pytest.mark.stack,
              pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                                 reason="needs curl and bash")]
MARK = "<!-- vendor-formats -->"


def readme_block() -> str:
    text = (ROOT / "README.md").read_text()
    after = text[text.index(MARK) + len(MARK):]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


def expected_bodies(block: str) -> list[str]:
    """The answers the README promises (``# <status> <body>``), in order."""
    return [m.group(2) for m in re.finditer(r"^# (\d{3}) (.*)$", block, re.MULTILINE)]


def test_the_readmes_vendor_format_examples_answer_as_written(local_stack: LocalStackProcess) -> None:
    block = readme_block()
    script = block.replace("http://127.0.0.1:3000", local_stack.base_url)
    out = subprocess.run(["bash", "-e", "-c", script], capture_output=True, text=True, timeout=60, check=True).stdout
    pattern = "".join(re.escape(body).replace("…", "[A-Za-z0-9_]+") for body in expected_bodies(block))
    assert re.fullmatch(pattern, out), (pattern, out)
    first = re.search(r"<lead_id>(pr_\w+)</lead_id>", out)
    second = re.search(r"accepted\|(pr_\w+)\|", out)
    assert first and second
    token = requests.post(f"{local_stack.base_url}/local/login", json={"email": "manager@demo.test"},
                          timeout=10).json()["token"]
    for pid, want in ((first.group(1), {"first_name": "Jane", "state": "CA", "loan_purpose": "Purchase"}),
                      (second.group(1), {"first_name": "John", "last_name": "Doe", "state": "IL"})):
        page = requests.get(f"{local_stack.base_url}/v1/leads/{pid}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10).json()
        lead = page.get("lead", page)
        assert {k: lead.get(k) for k in want} == want, lead
