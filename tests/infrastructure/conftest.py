"""Fixtures for the offline infrastructure tests (helpers live in infra_helpers.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.infrastructure.infra_helpers import (
    ROOT,
    load_template,
    prepare_for_offline_transform,
    sam_transform,
)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    """template.yaml as written (SAM resources, intrinsics as dicts)."""
    return load_template()


@pytest.fixture(scope="session")
def cfn(sam_template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml after the AWS::Serverless transform: plain CloudFormation."""
    return sam_transform(prepare_for_offline_transform(sam_template))


@pytest.fixture(scope="session")
def cfn_resources(cfn: dict[str, Any]) -> dict[str, Any]:
    return cfn["Resources"]
