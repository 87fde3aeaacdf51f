"""Benchmarks, run by hand: `.venv/bin/python -m bench` runs them all."""

import os
import secrets
import subprocess


def as_deployed() -> dict[str, str]:
    """Settings for an API process under benchmark: production mode, as deployed (errors
    masked, introspection off, JSON logs), with a secret of the run's own. The secret is set in
    this process's environment too, so the tokens `mint` makes for the run carry it."""
    secret = os.environ.setdefault("APP_JWT_SECRET", secrets.token_hex(32))
    return {"APP_ENV": "production", "APP_JWT_SECRET": secret}


def process_of(command: str) -> int:
    """The id of the (newest) process whose command line holds `command`: a server under
    benchmark, for its CPU."""
    found = subprocess.run(["pgrep", "-f", command], capture_output=True, text=True,
                           check=False).stdout.split()
    if not found:
        raise RuntimeError(f"no process runs {command!r}")
    return int(found[-1])
