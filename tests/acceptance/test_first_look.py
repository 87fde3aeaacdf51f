"""The README's first look, end to end: serve, seed the demo against the running database,
subscribe, post, and the event arrives (the demo's backdated events, pruned as the first
subscriber arrives, held live delivery for minutes before)."""

import asyncio
import os
import subprocess
import sys

import pytest

from tests.acceptance.server import ROOT, Caller, running_server
from tests.live.client import LiveClient, registered
from tests.live.conftest import server_env

pytestmark = pytest.mark.e2e

POSTS = """subscription($g: ID!) { postAdded(groupId: $g) {
  kind subject { ... on Post { body } } } }"""
ACTIVE_GROUPS = """{ groups(first: 30, filter: {status: ACTIVE}) {
  nodes { id participation } } }"""


async def test_serve_seed_subscribe_post_and_the_event_arrives(mongodb_uri, database_name,
                                                                mongo_client):
    env = server_env(mongodb_uri, database_name)
    try:
        with running_server(env) as url:
            seeded = await asyncio.to_thread(
                subprocess.run, [sys.executable, "-m", "api", "seed-demo"], cwd=ROOT,
                env={**os.environ, **env}, capture_output=True, timeout=300)
            assert seeded.returncode == 0, seeded.stderr
            ana = Caller(url, "ana", "country=ES")
            group = next(group for group in ana(ACTIVE_GROUPS)["groups"]["nodes"]
                         if group["participation"] == "OPEN")
            ana.step("joinGroup", "JoinGroupInput", groupId=group["id"])
            thread = ana.step("startDiscussion", "StartDiscussionInput",
                              "... on Discussion { id }", groupId=group["id"],
                              title="First look", body="Hello")
            client = await LiveClient.connect(url, ana.token)
            await client.subscribe(POSTS, g=group["id"])
            await registered(url, 1)
            ana.step("addPost", "AddPostInput", discussionId=thread["id"], body="Live!")
            assert await client.events(1, wait=10) == [
                {"kind": "POST_ADDED", "subject": {"body": "Live!"}}]
            await client.close()
    finally:
        await mongo_client.drop_database(database_name)
