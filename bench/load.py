"""wrk slices, run in interleaved reference/target pairs."""

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"


@dataclass(frozen=True)
class Target:
    """One thing to load: a wrk script, a path and what the script reads."""

    name: str
    script: str
    path: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Slice:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + self.timeouts


@dataclass
class Pairs:
    """Alternating slices of a reference and a target on the same server."""

    reference: list[Slice] = field(default_factory=list)
    target: list[Slice] = field(default_factory=list)

    def ratio(self) -> float:
        """Median over pairs of target req/s divided by reference req/s."""
        return statistics.median(
            t.rps / r.rps if r.rps else 0.0
            for r, t in zip(self.reference, self.target, strict=True)
        )

    def p99_ratio(self) -> float:
        """Median over pairs of target p99 divided by reference p99."""
        return statistics.median(
            t.p99_ms / r.p99_ms if r.p99_ms else float("inf")
            for r, t in zip(self.reference, self.target, strict=True)
        )

    def rps(self, side: str) -> float:
        return statistics.median(s.rps for s in getattr(self, side))

    def p99(self, side: str) -> float:
        return statistics.median(s.p99_ms for s in getattr(self, side))

    def errors(self) -> int:
        return sum(s.errors for s in self.reference + self.target)

    def as_dict(self) -> dict:
        return {
            "reference": [asdict(s) | {"rps": s.rps} for s in self.reference],
            "target": [asdict(s) | {"rps": s.rps} for s in self.target],
        }


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: `make bench` installs it (apt-get)")
    return wrk


class Driver:
    def __init__(self, *, port: int, connections: int, seconds: float):
        self.base = f"http://127.0.0.1:{port}"
        self.connections = connections
        self.seconds = seconds
        self.runs = 0
        self.wrk = require_wrk()

    def run(self, target: Target) -> Slice:
        self.runs += 1
        env = {
            **os.environ,
            "BENCH_LUA_DIR": str(LUA),
            "BENCH_RUN": str(self.runs),
            "BENCH_ORIGIN": self.base,
            **target.env,
        }
        command = [
            self.wrk,
            "-t1",
            f"-c{self.connections}",
            f"-d{self.seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA / target.script),
            self.base + target.path,
        ]
        output = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=self.seconds + 60,
            check=True,
        ).stdout
        line = next(
            line for line in output.splitlines() if line.startswith("BENCH_RESULT ")
        )
        data = json.loads(line.removeprefix("BENCH_RESULT "))
        return Slice(
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            non_2xx=data["non_2xx"],
            socket_errors=data["socket_errors"],
            timeouts=data["timeouts"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
        )

    def pairs(self, reference: Target, target: Target, count: int) -> Pairs:
        """Reference, target, reference, target, ... ``count`` times each."""
        self.run(reference)  # warm-up: connections, caches, code paths
        self.run(target)
        pairs = Pairs()
        for _ in range(count):
            pairs.reference.append(self.run(reference))
            pairs.target.append(self.run(target))
        return pairs
