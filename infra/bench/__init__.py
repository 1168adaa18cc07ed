"""``make bench``: cost and speed of leadwave per lead, and issue 8's targets with PASS / FAIL.

The local stack runs in this process with every AWS call instrumented (``instrument``) and
attributed to the lead it serves (``attribution``). Sections, each runnable alone with
``--only``: ``coldstart`` (handler imports vs boto3), the existing scenarios ``ingest``,
``race``, ``waves``, ``fresh`` (``flows``), ``scale`` (orgs of 10, 100, 1,000 agents, seeded
by ``orgs``), ``contention`` (round robin, 8 vendors) and ``pages`` (Lead Exception page,
fresh bucket and sweep at 100 and 10,000 leads, written by ``leadseed``). ``counting`` turns
calls into units, ``pricing`` into dollars, ``targets`` into PASS / FAIL; ``report*`` print.
"""
