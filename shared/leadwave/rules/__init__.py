"""Pure domain rules: no I/O, no AWS. Unit-tested in tests/unit."""
