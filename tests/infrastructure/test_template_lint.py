"""cfn-lint over template.yaml (the SAM transform included), offline.

Errors fail. Warnings fail too unless listed in ALLOWED_WARNINGS with the reason they
cannot reasonably be fixed. Informational findings are reported as pytest warnings.
"""

from __future__ import annotations

import warnings

import pytest
from cfnlint.api import ManualArgs, lint_file

from tests.infrastructure.infra_helpers import REGION, TEMPLATE_PATH

# rule id -> why the warning is accepted. Keep empty unless there is no reasonable fix.
ALLOWED_WARNINGS: dict[str, str] = {}


def _describe(match) -> str:
    return f"{match.rule.id} {match.message} ({TEMPLATE_PATH.name}:{match.linenumber})"


@pytest.fixture(scope="module")
def lint_matches():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            mp.delenv(var, raising=False)
        config = ManualArgs(regions=[REGION], include_checks=["I"])
        return lint_file(TEMPLATE_PATH, config=config)


def _by_severity(matches, severity: str):
    return [m for m in matches if m.rule.severity.lower() == severity]


def test_template_has_no_lint_errors(lint_matches):
    errors = _by_severity(lint_matches, "error")
    assert not errors, "cfn-lint errors:\n" + "\n".join(_describe(m) for m in errors)


def test_template_has_no_unaccepted_lint_warnings(lint_matches):
    found = _by_severity(lint_matches, "warning")
    for match in found:
        if match.rule.id in ALLOWED_WARNINGS:
            warnings.warn(f"accepted: {_describe(match)}", stacklevel=1)
    unaccepted = [m for m in found if m.rule.id not in ALLOWED_WARNINGS]
    assert not unaccepted, "cfn-lint warnings:\n" + "\n".join(_describe(m) for m in unaccepted)


def test_lint_report_informational(lint_matches):
    known = {"error", "warning", "informational"}
    unknown = [m for m in lint_matches if m.rule.severity.lower() not in known]
    assert not unknown, "\n".join(_describe(m) for m in unknown)
    for match in _by_severity(lint_matches, "informational"):
        warnings.warn(f"cfn-lint: {_describe(match)}", stacklevel=1)
