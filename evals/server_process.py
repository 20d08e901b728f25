"""A real `hjemmel serve` process on a loopback port, for the load and fault benchmarks."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python -m api serve` with the caller's environment plus `env`; `start` returns once /readyz answers 200.

    Not /healthz: that answers before the first search has loaded the model, so a load run started then measured a
    cold server (overload phase: the first request took 6.9 s, and the requests queued behind it met their deadline).
    """

    def __init__(self, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | (env or {}) | {"HJEMMEL_PORT": str(self.port)}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> "ServerProcess":
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen([sys.executable, "-m", "api", "serve"], env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log or 'its output'}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/readyz", timeout=60).status_code == 200:
                    return self
            time.sleep(0.5)
        self.kill()
        raise RuntimeError(f"server not ready in {timeout:.0f} s")

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory of the server process in MB, from /proc."""
        assert self.process is not None
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown handler runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
