"""docker-compose.yml: checked by reading it (no Docker engine runs here), and by
`docker compose config` where that command exists."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "scripts" / "Dockerfile").read_text()


def test_mongodb_8_runs_as_an_initialised_replica_set_with_a_volume():
    mongo = COMPOSE["services"]["mongo"]
    assert mongo["image"].startswith("mongo:8")
    assert "--replSet" in mongo["command"]
    check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in check and "isWritablePrimary" in check
    volume = mongo["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_the_api_waits_for_a_healthy_database_and_checks_its_own_readiness():
    api = COMPOSE["services"]["api"]
    assert api["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert "replicaSet=rs0" in api["environment"]["APP_MONGODB_URI"]
    assert api["environment"]["APP_ENV"] == "production"


def test_secrets_are_required_and_the_api_scales():
    api = COMPOSE["services"]["api"]
    assert api["environment"]["APP_JWT_SECRET"].startswith("${APP_JWT_SECRET:?")
    assert "container_name" not in api  # a fixed name would forbid --scale api=2
    assert "ports" not in api  # the replicas are reached through the proxy only
    assert api["environment"]["FORWARDED_ALLOW_IPS"] == "*"


def test_nginx_runs_the_tested_configuration_in_front_of_the_replicas():
    """tests/live/test_proxy.py runs scripts/nginx/agora.conf in front of two API processes."""
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    mounts = dict(volume.split(":")[:2] for volume in proxy["volumes"])
    assert mounts["./scripts/nginx/agora.conf"] == "/etc/nginx/conf.d/default.conf"
    assert mounts["./scripts/nginx/agora-upstream.conf"] == "/etc/nginx/agora-upstream.conf"
    assert "server api:8000" in (ROOT / "scripts/nginx/agora-upstream.conf").read_text()
    assert proxy["ports"] == ["127.0.0.1:8000:8080"]
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"


def test_the_image_is_slim_non_root_and_healthchecked():
    assert DOCKERFILE.startswith("# ") and "FROM python:3.13-slim" in DOCKERFILE
    assert "\nUSER " in DOCKERFILE and "USER root" not in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/readyz" in DOCKERFILE


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker command here")
def test_docker_compose_accepts_the_file():
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    result = subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT,
                            env={"APP_JWT_SECRET": "x" * 40, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
