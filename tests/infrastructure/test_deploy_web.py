"""infra/deploy/deploy-web.sh against a fake `aws` (no AWS account, no network): the SPA's
config.json from the stack outputs (wsUrl from WebSocketUrl), the uploads (the PWA's service worker
and manifest revalidated on every load, the worker last), the CloudFront invalidation."""

from __future__ import annotations

import json
import re
import stat
import subprocess

import pytest

from tests.infrastructure.infra_helpers import ROOT, load_template
from tests.infrastructure.test_deploy_scripts import BASH, fake  # noqa: F401 - the fixture

SCRIPT = ROOT / "infra" / "deploy" / "deploy-web.sh"
OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
    "Region": "eu-west-1",
    "UserPoolId": "eu-west-1_AbCdEf",
    "UserPoolClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
    "CognitoDomain": "https://leadwave-1234.auth.eu-west-1.amazoncognito.com",
    "WebBucketName": "leadwave-webbucket-xyz",
    "WebDistributionId": "E2QWRUHAPOMQZL",
    "WebUrl": "https://d111111abcdef8.cloudfront.net",
    "WebSocketUrl": "wss://ws4567.execute-api.eu-west-1.amazonaws.com/prod",
}


def test_script_is_strict_executable_bash_and_uses_template_outputs():
    text = SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") and "\nset -euo pipefail\n" in text
    assert SCRIPT.stat().st_mode & stat.S_IXUSR
    subprocess.run([BASH, "-n", str(SCRIPT)], check=True)
    used = set(re.findall(r"\$\(output (\w+)\)", text))
    assert used == set(OUTPUTS)
    assert used <= set(load_template()["Outputs"]), used - set(load_template()["Outputs"])


def _built(tree):
    dist = tree / "web" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html></html>")
    (dist / "assets" / "index-abc.js").write_text("1")
    (dist / "sw.js").write_text("// the service worker")
    (dist / "manifest.webmanifest").write_text("{}")
    return dist


def _option(command, name):
    return command[command.index(name) + 1]


def test_deploy_web_writes_the_cognito_config_uploads_and_invalidates(fake):  # noqa: F811
    dist = _built(fake.tree)
    proc, calls = fake("deploy-web.sh", "leadwave", env={"FAKE_OUTPUTS": json.dumps(OUTPUTS)})
    assert proc.returncode == 0, proc.stderr
    commands = [[c["tool"], *c["args"]] for c in calls]
    syncs = [c for c in commands if c[1:3] == ["s3", "sync"]]
    assert [s[3:5] for s in syncs] == [[f"{dist.relative_to(fake.tree)}/assets", "s3://leadwave-webbucket-xyz/assets"],
                                       [str(dist.relative_to(fake.tree)), "s3://leadwave-webbucket-xyz"]]
    assert "immutable" in " ".join(syncs[0]) and "--delete" in syncs[1] and "no-cache" in " ".join(syncs[1])
    copies = [c for c in commands if c[1:3] == ["s3", "cp"]]
    assert [c[4] for c in copies] == ["s3://leadwave-webbucket-xyz/manifest.webmanifest", "s3://leadwave-webbucket-xyz/sw.js"]
    for copy in copies:
        assert _option(copy, "--cache-control") == "no-cache"
    assert _option(copies[0], "--content-type") == "application/manifest+json"
    assert _option(copies[1], "--content-type").startswith("text/javascript")
    # the sync leaves them to their own upload (with their content types), and the worker goes last:
    # the files it pre-caches are already there when a browser installs it
    assert {"sw.js", "manifest.webmanifest"} <= {syncs[1][i + 1] for i, a in enumerate(syncs[1]) if a == "--exclude"}
    assert commands.index(copies[1]) == max(commands.index(c) for c in [*syncs, *copies])
    (invalidation,) = [c for c in commands if c[1:3] == ["cloudfront", "create-invalidation"]]
    assert invalidation[invalidation.index("--distribution-id") + 1] == "E2QWRUHAPOMQZL"
    assert invalidation[invalidation.index("--paths") + 1] == "/*"
    assert not (dist / "config.json").exists(), "config.json must not stay in web/dist (make dev serves it)"
    assert "https://d111111abcdef8.cloudfront.net/app" in proc.stdout


def test_config_json_content(fake, tmp_path):  # noqa: F811
    dist = _built(fake.tree)
    # a fake aws whose s3 sync copies config.json out, so its content can be checked
    spy = tmp_path / "config-copy.json"
    fake.install("aws")
    aws = fake.tree.parent / "bin" / "aws"
    aws.write_text(aws.read_text().replace(
        'joined = " ".join(args)',
        'joined = " ".join(args)\n'
        'if args[:2] == ["s3", "sync"] and os.path.exists(os.path.join(args[2], "config.json")):\n'
        f'    open({str(spy)!r}, "w").write(open(os.path.join(args[2], "config.json")).read())'))
    proc, _ = fake("deploy-web.sh", "leadwave", env={"FAKE_OUTPUTS": json.dumps(OUTPUTS)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(spy.read_text()) == {
        "mode": "cognito", "apiBase": OUTPUTS["ApiUrl"], "region": "eu-west-1", "userPoolId": "eu-west-1_AbCdEf",
        "clientId": OUTPUTS["UserPoolClientId"], "cognitoDomain": OUTPUTS["CognitoDomain"],
        "wsUrl": OUTPUTS["WebSocketUrl"]}
    assert not (dist / "config.json").exists()


@pytest.mark.parametrize(("args", "env", "message"), [
    ((), {}, "usage"),
    (("leadwave",), {"FAKE_OUTPUTS": json.dumps({k: v for k, v in OUTPUTS.items() if k != "CognitoDomain"})},
     "CognitoDomain"),
    (("leadwave",), {"FAKE_OUTPUTS": json.dumps({k: v for k, v in OUTPUTS.items() if k != "WebSocketUrl"})},
     "WebSocketUrl"),
    (("leadwave",), {"FAKE_OUTPUTS": json.dumps({**OUTPUTS, "WebSocketUrl": "https://not-a-socket.example"})},
     "WebSocketUrl"),
])
def test_deploy_web_refuses_without_stack_or_outputs(fake, args, env, message):  # noqa: F811
    _built(fake.tree)
    proc, calls = fake("deploy-web.sh", *args, env=env)
    assert proc.returncode != 0 and message in proc.stderr
    assert not [c for c in calls if c["args"][:2] in (["s3", "sync"], ["cloudfront", "create-invalidation"])]


def test_deploy_web_needs_a_build(fake):  # noqa: F811
    proc, calls = fake("deploy-web.sh", "leadwave", env={"FAKE_OUTPUTS": json.dumps(OUTPUTS)})
    assert proc.returncode != 0 and "make web" in proc.stderr
    assert not calls
