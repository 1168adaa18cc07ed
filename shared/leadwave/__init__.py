"""leadwave domain and data package (deployed as the SharedLayer Lambda layer).

Layers, top to bottom:
- ``leadwave.api`` / ``leadwave.auth``: helpers the thin handlers in ``functions/*`` use
  (resolver with the error contract, caller identity).
- ``leadwave.services``: use cases (ingest, immediate distribution, waves, claims, queries).
- ``leadwave.rules``: pure rules (eligibility, round robin, wave selection, business hours,
  phone numbers, API-key hashing) unit-tested without AWS.
- ``leadwave.store``: the only modules that talk to DynamoDB (pynamodb), SQS and Step Functions.
"""
