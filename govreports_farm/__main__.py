"""`python -m govreports_farm serve --run-dir DIR`: serve the sample portals until killed.

Prints one line `farm ready: <n> portals, registry=<path>` once every portal answers (scripts
wait for it), then serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from govreports_farm.farm import Farm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govreports_farm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sample portals until killed")
    serve.add_argument("--run-dir", type=Path, required=True, help="where registry.csv, sites.toml, manifest.json go")
    serve.add_argument("--chaos", type=int, default=None, help="fault-injection seed (transient and all-night faults: govreports_farm/chaos.py)")
    serve.add_argument("--extra", default="", help="also serve browser portals: js,cookie,ruishu (see browser_portals.py)")
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    extra = tuple(name for name in args.extra.replace(" ", "").split(",") if name)
    with Farm.start(args.run_dir, chaos=args.chaos, extra_portals=extra) as farm:
        print(f"farm ready: {len(farm.portals)} portals, registry={farm.registry_path}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
