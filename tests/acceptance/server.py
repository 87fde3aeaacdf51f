"""Run `python -m api serve` on a loopback port, as a user would."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int, **options: Any) -> subprocess.Popen[bytes]:
    """`python -m api serve` on `port`, with `env` added to (or, for empty values, removed
    from) the environment; `options` go to `subprocess.Popen`."""
    child_env = {**os.environ, **env}
    for name in [name for name, value in env.items() if value == ""]:
        child_env.pop(name)
    return subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=child_env, **options,
    )


@contextlib.contextmanager
def running_server(
    env: dict[str, str], *, startup_timeout: float = 60.0
) -> Iterator[str]:
    """Start the API (`start_server`); yield its base URL; stop it with SIGINT."""
    port = free_port()
    process = start_server(env, port)
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


class Caller:
    """One user of the API, with their own development token from `python -m api token`."""

    def __init__(self, base_url: str, sub: str, *options: str) -> None:
        self._base_url = base_url
        self.token = mint(sub, *options)

    def __call__(self, query: str, **variables: Any) -> Any:
        response = httpx2.post(
            f"{self._base_url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, json.dumps(body["errors"])
        return body["data"]

    def step(self, name: str, input_type: str, fields: str = "", **input: Any) -> Any:
        """Call mutation `name` with `input`; select `fields` on its success type."""
        selection = f"__typename ... on Error {{ message }} {fields}"
        query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} }} }}"
        return self(query, input=input)[name]


def mint(sub: str, *options: str) -> str:
    """A token from the real command; options are `key=value`, e.g. `role=CSS`."""
    command = [sys.executable, "-m", "api", "token", "--sub", sub, "--name", sub.title()]
    for option in options:
        key, _, value = option.partition("=")
        command += [f"--{key}", value]
    return subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT
                          ).stdout.strip()
