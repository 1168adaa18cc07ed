"""The local stack: DynamoDB Local, moto's server, the real handlers behind a local API gateway.

Everything it creates is read from ``template.yaml`` (routes, tables, queues, functions,
environment, state machine); nothing here keeps a second copy of the template.
Run it with ``python -m infra.local``.
"""
