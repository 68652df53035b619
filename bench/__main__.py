"""Benchmark the hot paths as ratios against a no-op view on the same server.

``python -m bench`` (``make bench``) seeds the ``portal_bench`` database,
starts gunicorn with the production configuration on 127.0.0.1, drives it
with wrk in interleaved pairs (reference, target, ...), prints a table and
writes ``var/bench/latest.json``. ``--quick`` (``make bench-quick``) runs the
same steps on a tiny data set with short slices, as a smoke test.
See docs/benchmarks.md.
"""

import argparse
import os
import signal
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny data, short runs")
    parser.add_argument("--prospects", type=int)
    parser.add_argument("--pages", type=int)
    parser.add_argument("--events", type=int, help="raw events in the end")
    parser.add_argument("--pairs", type=int, help="reference/target pairs a metric")
    parser.add_argument("--seconds", type=int, help="length of one wrk slice")
    parser.add_argument("--connections", type=int)
    parser.add_argument(
        "--port", type=int, default=0, help="default: a free port on 127.0.0.1"
    )
    parser.add_argument("--freshness-samples", type=int)
    parser.add_argument("--database", help="PostgreSQL database to (re)create")
    parser.add_argument("--output", type=Path, help="where to write the JSON")
    args = parser.parse_args(argv)
    defaults = (
        {
            "prospects": 1_000,
            "pages": 15,
            "events": 20_000,
            "pairs": 2,
            "seconds": 1,
            "connections": 8,
            "history": False,
            "freshness_samples": 3,
            "database": "portal_bench_quick",
            "output": ROOT / "var" / "bench" / "quick.json",
        }
        if args.quick
        else {
            "prospects": 10_000,
            "pages": 200,
            "events": 5_000_000,
            "pairs": 5,
            "seconds": 4,
            "connections": 32,
            "history": True,
            "freshness_samples": 20,
            "database": "portal_bench",
            "output": ROOT / "var" / "bench" / "latest.json",
        }
    )
    for name, value in defaults.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    if not args.quick and args.pairs < 5:
        parser.error("a full run needs at least 5 pairs")
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    return args


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from bench import environment

    environment.configure(args)

    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so every process the
    # benchmark started is stopped by the ``finally`` blocks below.
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)

    from bench import run

    try:
        return run.run(args)
    except KeyboardInterrupt:
        print("benchmark interrupted; processes stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
