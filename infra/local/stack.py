"""The whole local stack in one process: DynamoDB Local (a child java process), moto's server
(SQS, Step Functions, S3, Lambda, SSM), the template's resources, seed data, SQS and DynamoDB
stream pollers and the API gateway. Handlers run in this process with the environment the
template gives them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import requests

from infra.local.dynamodb_local import DynamoDBLocal, dynamodb_client
from infra.local.gateway import Gateway
from infra.local.lambdas import LambdaRuntime, install_moto_dispatch
from infra.local.pollers import SqsPoller
from infra.local.resources import LocalResources, create_resources, moto_client, pseudo_parameters
from infra.local.schedules import Scheduler
from infra.local.settings import HOST, LOCAL_TWILIO_ACCOUNT_SID, Settings, free_port
from infra.local.streams import StreamPoller, drain, start_pollers
from infra.local.template import Template

LOG = logging.getLogger(__name__)
DEMO_WEBHOOK_ID, DEMO_WEBHOOK_SECRET = "wh_demo_crm", "whsec_local_demo_crm_secret"  # local only, as the demo keys
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


class LocalStack:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.template = Template.load(self.settings.template_path)
        self.dynamodb = DynamoDBLocal()
        self.moto_server: Any = None
        self.moto_endpoint = ""
        self.runtime = LambdaRuntime(self.template)
        self.resources: LocalResources | None = None
        self.gateway: Gateway | None = None
        self.pollers: list[SqsPoller] = []
        self.stream_pollers: list[StreamPoller] = []
        self.scheduler: Scheduler | None = None
        self.handler_errors: dict[str, str] = {}
        self.seed_status = "not run"
        self.seed_result: Any = None
        self._uninstall = None
        self._sqs = None

    @property
    def url(self) -> str:
        return self.gateway.url if self.gateway else f"http://{HOST}:{self.settings.port}"

    def parameters(self) -> dict[str, str]:
        """Template parameters the local stack sets: the public base URL is the gateway's; the
        Twilio account is the phone simulator's (or the real one given in TWILIO_ACCOUNT_SID)."""
        public = os.environ.get("LEADWAVE_PUBLIC_BASE_URL") or self.url
        values = {"PublicBaseUrl": public, "TwilioAccountSid": self.settings.twilio_account_sid}
        return {k: v for k, v in values.items() if k in self.template.parameters}

    def twilio_env(self) -> dict[str, str]:
        """The handlers' Twilio client calls the phone simulator (``infra/local/phones.py``) on
        the gateway, unless a real account is configured (then it calls api.twilio.com)."""
        if self.settings.twilio_account_sid != LOCAL_TWILIO_ACCOUNT_SID:
            os.environ.pop("TWILIO_API_BASE_URL", None)
            return {}
        return {"TWILIO_API_BASE_URL": f"{self.url}/local/twilio"}

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        settings = self.settings
        if not settings.port:
            settings = self.settings = replace(settings, port=free_port())
        resolver = self.template.resolver({}, pseudo_parameters(), self.parameters(),
                                          fallback=lambda lid, attr: f"{lid}-{attr}")
        self.gateway = Gateway(self.template, self.runtime, settings, resolver, self.health).start()
        LOG.info("gateway listening on %s (starting)", self.url)

        data_dir = settings.data_dir / "dynamodb"
        self.dynamodb.start(port=settings.dynamodb_port, in_memory=not settings.persist,
                            db_path=data_dir if settings.persist else None)
        self._start_moto(settings.moto_port or free_port())

        self.resources = create_resources(self.template, settings, self.moto_endpoint, self.dynamodb.endpoint,
                                          self.parameters())
        self.runtime.set_names(self.resources.function_names)
        self._uninstall = install_moto_dispatch(self.runtime)
        self.resources.env.update(self.twilio_env())
        delays = os.environ.get("LEADWAVE_WEBHOOK_RETRY_DELAYS", "").strip()
        if delays:  # a shorter retry schedule than production's ~40 h, to watch retries (tests: 1,1,1)
            self.resources.env["WEBHOOK_RETRY_DELAYS"] = delays
        os.environ.update(self.resources.env)
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray daemon locally

        self.handler_errors = self.runtime.preload()
        for logical_id, error in self.handler_errors.items():
            LOG.warning("%s does not import yet: %s", logical_id, error)
        self._seed()
        self._start_pollers()
        self._start_stream_pollers()
        self.scheduler = Scheduler(self.template.functions(), self.runtime.invoke).start()
        self.gateway.ready.set()
        self._register_numbers()

    def _register_numbers(self) -> None:
        """The seeded campaigns' virtual numbers ring the inbound webhook (once the gateway,
        which serves the phone simulator's Twilio API, is ready)."""
        from infra.seed import DEMO, register_numbers

        extra = [Path(p) for p in os.environ.get("LEADWAVE_SEED_FILES", "").split(",") if p.strip()]
        try:
            for path in [DEMO, *extra]:
                register_numbers(path)
        except Exception:  # a real Twilio account without these numbers: calls to them are not ours
            LOG.exception("could not register the seeded virtual numbers")

    def _start_moto(self, port: int) -> None:
        os.environ["MOTO_PORT"] = str(port)  # moto's Step Functions calls its Lambda on this port
        from moto.server import ThreadedMotoServer

        self.moto_server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        self.moto_server.start()
        self.moto_endpoint = f"http://{HOST}:{port}"
        requests.post(f"{self.moto_endpoint}/moto-api/config", json=MOTO_CONFIG, timeout=10).raise_for_status()
        LOG.info("moto server ready on %s", self.moto_endpoint)

    def _seed(self) -> None:
        """The demo org, plus any seed files named in ``LEADWAVE_SEED_FILES`` (comma-separated;
        tests use it for orgs of their own). ``LEADWAVE_OFFER_TIMEOUT`` overrides the seeded
        campaigns' offer timeout. A seed that fails to load stops the stack."""
        from infra.seed import DEMO, load_seed

        timeout = os.environ.get("LEADWAVE_OFFER_TIMEOUT", "").strip()
        extra = [Path(p) for p in os.environ.get("LEADWAVE_SEED_FILES", "").split(",") if p.strip()]
        self.seed_result = [load_seed(path, offer_timeout=int(timeout) if timeout else None)
                            for path in [DEMO, *extra]]
        if os.environ.get("LEADWAVE_DEMO_WEBHOOK", "1") != "0":
            self._demo_webhook()
        self.seed_status = "ok"

    def _demo_webhook(self) -> None:
        """The demo org's CRM endpoint: every event, delivered to the gateway's receiver page
        (``/local/webhooks/demo-crm``), signed with ``DEMO_WEBHOOK_SECRET``."""
        from leadwave import clock
        from leadwave.models import Webhook
        from leadwave.rules.events import EVENT_TYPES
        from leadwave.store import directory

        assert self.gateway is not None
        now = clock.iso(clock.now())
        directory.save(Webhook(org_id="demo", webhook_id=DEMO_WEBHOOK_ID, url=f"{self.url}/local/webhooks/demo-crm",
                               events=list(EVENT_TYPES), description="Demo CRM (the local receiver page)",
                               secret=DEMO_WEBHOOK_SECRET, created_at=now, updated_at=now))
        self.gateway.receiver.configure("demo-crm", secret=DEMO_WEBHOOK_SECRET)

    def _start_pollers(self) -> None:
        assert self.resources is not None
        for source in self.template.sqs_event_sources():
            queue_id = source.queue_logical_id
            if not source.enabled or queue_id not in self.resources.physical:
                LOG.warning("%s.%s: no local queue for %s", source.function_id, source.event_id, source.queue)
                continue
            poller = SqsPoller(source, self.resources.attr(queue_id), self.resources.attr(queue_id, "Arn"),
                               partial(self.runtime.invoke, source.function_id), self.moto_endpoint)
            self.pollers.append(poller.start())

    def _start_stream_pollers(self) -> None:
        assert self.resources is not None
        tables = {lid: str(values["Ref"]) for lid, values in self.resources.physical.items() if values.get("StreamArn")}
        # LEADWAVE_PERSIST: a restarted stack goes on where it stopped, as a mapping does in AWS
        checkpoints = self.settings.data_dir / "streams" if self.settings.persist else None
        self.stream_pollers = start_pollers(self.template, tables, self.dynamodb.endpoint,
                                            lambda function_id: partial(self.runtime.invoke, function_id), checkpoints)

    def drain_streams(self, timeout: float = 10.0) -> list[str]:
        """Wait until every DynamoDB stream mapping has processed the records written so far."""
        return drain(timeout, self.stream_pollers)

    def health(self) -> tuple[bool, dict[str, Any]]:
        details: dict[str, Any] = {"status": "ok", "seed": self.seed_status,
                                   "handlers_not_importable": sorted(self.handler_errors)}
        try:
            dynamodb_client(self.dynamodb.endpoint, timeout=2.0).list_tables(Limit=1)
            details["dynamodb"] = "ok"
        except Exception as err:
            details.update(status="degraded", dynamodb=type(err).__name__)
        try:
            self._sqs = self._sqs or moto_client("sqs", self.moto_endpoint)
            self._sqs.list_queues(MaxResults=1)
            details["moto"] = "ok"
        except Exception as err:
            details.update(status="degraded", moto=type(err).__name__)
        return details["status"] == "ok", details

    def stop(self) -> None:
        """Stop everything this stack started, in reverse order; safe to call twice."""
        if self.gateway is not None:
            self.gateway.ready.clear()
        for poller in [*self.stream_pollers, *self.pollers]:
            poller.stop()
        self.pollers, self.stream_pollers = [], []
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None
        if self._uninstall is not None:
            self._uninstall()
            self._uninstall = None
        if self.moto_server is not None:
            try:
                self.moto_server.stop()
            except Exception:
                LOG.exception("moto server did not stop cleanly")
            self.moto_server = None
        self.dynamodb.stop()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
