"""Run `python -m api serve` on a loopback port, as a user would."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(
    env: dict[str, str], *, startup_timeout: float = 60.0
) -> Iterator[str]:
    """Start the API with `env` added to (or, for empty values, removed from) the
    environment; yield its base URL; stop it with SIGTERM."""
    port = free_port()
    child_env = {**os.environ, **env}
    for name in [name for name, value in env.items() if value == ""]:
        child_env.pop(name)
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=child_env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url, startup_timeout)
        yield base_url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("the server did not become ready in time")
