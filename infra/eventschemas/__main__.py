"""``python -m infra.eventschemas``: write schemas/events/*.json; ``--check``: exit 1 if stale."""

from __future__ import annotations

import argparse
import sys

from infra.eventschemas import FOLDER, stale, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.eventschemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a schema file differs from a fresh build")
    if parser.parse_args(argv).check:
        changed = stale()
        if changed:
            print(f"stale in {FOLDER}: {', '.join(changed)}: run python -m infra.eventschemas", file=sys.stderr)
            return 1
        print(f"{FOLDER} is up to date")
        return 0
    print(f"wrote {len(write())} schemas to {FOLDER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
