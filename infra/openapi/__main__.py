"""``python -m infra.openapi``: write openapi.json; ``--check``: exit 1 if it is stale."""

from __future__ import annotations

import argparse
import sys

from infra.openapi import DOCUMENT, DocumentError, stale, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if openapi.json differs from a fresh build")
    args = parser.parse_args(argv)
    try:
        if args.check:
            if stale():
                print(f"{DOCUMENT.name} is stale: run python -m infra.openapi", file=sys.stderr)
                return 1
            print(f"{DOCUMENT.name} is up to date")
            return 0
        print(f"wrote {write()}")
    except DocumentError as err:
        print(err, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
