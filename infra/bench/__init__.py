"""``make bench``: cost and speed of leadwave as counts that do not depend on the machine.

The local stack runs in this process with every AWS call instrumented (``instrument``); the
scenarios (``ingest``, ``flows``) drive it over HTTP as vendors and agents do; ``counting``
turns calls into DynamoDB units, state transitions and prices; ``report`` prints the tables.
"""
