"""shared/requirements.txt (what `sam build` installs into the layer) must match pyproject.toml.

Same packages as [project] dependencies minus boto3 (the Lambda runtime ships it), same
extras, and every version the layer's range admits must be admitted by pyproject's range.
"""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.infrastructure.infra_helpers import ROOT

RUNTIME_PROVIDED = {"boto3"}


def _layer_requirements() -> dict[str, Requirement]:
    reqs = {}
    for raw in (ROOT / "shared" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            assert not line.startswith("-"), f"pip options do not belong in the layer's requirements: {line}"
            req = Requirement(line)
            assert canonicalize_name(req.name) not in reqs, f"duplicate: {req.name}"
            reqs[canonicalize_name(req.name)] = req
    return reqs


def _project_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def _probe_versions(*specs: SpecifierSet) -> list[Version]:
    """Every bound either range names, and versions just around it."""
    probes = set()
    for spec in specs:
        for s in spec:
            v = Version(s.version.replace(".*", ""))
            release = list(v.release) + [0] * (3 - len(v.release))
            probes.add(v)
            for i in range(3):
                up = release[:i] + [release[i] + 1] + [0] * (2 - i)
                probes.add(Version(".".join(map(str, up))))
                if release[i] > 0:
                    down = release[:i] + [release[i] - 1] + [99] * (2 - i)
                    probes.add(Version(".".join(map(str, down))))
    return sorted(probes)


def test_layer_lists_the_runtime_dependencies_minus_boto3():
    layer, project = _layer_requirements(), _project_requirements()
    expected = set(project) - RUNTIME_PROVIDED
    assert set(layer) == expected, {"missing": expected - set(layer), "extra": set(layer) - expected}


def test_layer_extras_and_markers_match():
    layer, project = _layer_requirements(), _project_requirements()
    for name, req in layer.items():
        assert req.extras == project[name].extras, name
        assert str(req.marker or "") == str(project[name].marker or ""), name


def test_layer_ranges_fit_inside_pyproject_ranges():
    layer, project = _layer_requirements(), _project_requirements()
    for name, req in layer.items():
        wanted = project[name].specifier
        assert req.specifier, f"{name}: pin or bound the layer's version"
        probes = _probe_versions(req.specifier, wanted)
        admitted = [v for v in probes if req.specifier.contains(v, prereleases=True)]
        assert admitted, f"{name}: {req.specifier} admits nothing"
        outside = [str(v) for v in admitted if not wanted.contains(v, prereleases=True)]
        assert not outside, f"{name}: layer {req.specifier} admits {outside}, pyproject says {wanted}"
