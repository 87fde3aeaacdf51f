"""A teacher shares a worksheet and a photo from the command line (curl, the GraphQL multipart
request) and another finds the discussion by searching, against the real server."""

import io
import json
import subprocess
import time
import uuid
from pathlib import Path

import httpx2
import pytest
from PIL import Image
from pymongo import MongoClient

from tests.acceptance.server import Caller, running_server
from tests.acceptance.test_group_story import CREATE, GROUP_STATE, form_input
from tests.api.test_files import PDF, photo
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e

START = """mutation($input: StartDiscussionInput!) { startDiscussion(input: $input) {
  ... on Discussion { id } ... on Error { message } } }"""
ADD_POST = ("mutation($files: [Upload!], $did: ID!) { addPost(input: {discussionId: $did, "
            "body: \"Ficha de fracciones para quinto\", attachments: $files}) { __typename "
            "... on Post { attachments { name contentType url thumbnailUrl } } "
            "... on Error { message } } }")
SEARCH = """query($q: String!) { search(query: $q, first: 10) { edges { node {
  kind node { __typename ... on Post { body } ... on Discussion { title } }
  highlight { text matched } } } } }"""


def searched(caller: Caller, query: str, *, at_least: int) -> list[dict]:
    """The search's hits once it finds `at_least` (the index follows the log a moment
    later), or what it finds after ten seconds."""
    deadline = time.monotonic() + 10
    while True:
        edges = caller(SEARCH, q=query)["search"]["edges"]
        if len(edges) >= at_least or time.monotonic() > deadline:
            return edges
        time.sleep(0.25)  # searches are limited to 60 a minute


def curl_upload(server: str, token: str, query: str, variables: dict, files: list[Path]) -> dict:
    """What docs/clients.md shows: one `-F` for the operation, one for the map, one a file."""
    mapping = {str(index): [f"variables.files.{index}"] for index in range(len(files))}
    command = ["curl", "-sS", f"{server}/graphql", "-H", f"Authorization: Bearer {token}",
               "-F", f"operations={json.dumps({'query': query, 'variables': variables})}",
               "-F", f"map={json.dumps(mapping)}"]
    for index, path in enumerate(files):
        command += ["-F", f"{index}=@{path}"]
    answer = subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)
    return json.loads(answer.stdout)


def shared_discussion(server: str, group: str, discussion: str) -> tuple[Caller, Caller, str]:
    """Olga's Spanish group `group`, approved, and her discussion `discussion` in it: Olga, Tom
    (a teacher outside the group) and the discussion's id."""
    css = Caller(server, "carla", "role=CSS")
    olga = Caller(server, "olga9", "country=ES")
    tom = Caller(server, "tom9", "country=ES")
    created = olga(CREATE, input=form_input(NEAR_DUPLICATE, title=group,
                                            languages=["es"]))["createGroup"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=created["id"])
    did = olga(START, input={"groupId": created["id"], "title": discussion,
                             "body": "Compartid vuestras fichas"})["startDiscussion"]["id"]
    return olga, tom, did


def test_a_worksheet_shared_with_curl_is_found_and_downloaded(server: str, tmp_path) -> None:
    olga, tom, did = shared_discussion(server, "Fracciones jugando", "Fichas de fracciones")

    worksheet, picture = tmp_path / "fracciones.pdf", tmp_path / "clase.jpg"
    worksheet.write_bytes(PDF)
    picture.write_bytes(photo())
    body = curl_upload(server, olga.token, ADD_POST, {"files": [None, None], "did": did},
                       [worksheet, picture])
    post = body["data"]["addPost"]
    assert post["__typename"] == "Post", body
    assert [item["contentType"] for item in post["attachments"]] == [
        "application/pdf", "image/jpeg"]

    headers = {"Authorization": f"Bearer {tom.token}"}
    pdf = httpx2.get(server + post["attachments"][0]["url"], headers=headers)
    assert pdf.status_code == 200 and pdf.content == PDF
    kept = httpx2.get(server + post["attachments"][1]["url"], headers=headers)
    assert b"SERIAL-123456" not in kept.content
    assert dict(Image.open(io.BytesIO(kept.content)).getexif()) == {}
    ranged = httpx2.get(server + post["attachments"][0]["url"],
                        headers={**headers, "Range": "bytes=0-3"})
    assert (ranged.status_code, ranged.content) == (206, b"%PDF")

    # The search index follows the log: the post is found a moment later, stemmed.
    edges = searched(tom, "fracción", at_least=2)
    found = {edge["node"]["node"].get("title") or edge["node"]["node"].get("body")
             for edge in edges}
    assert {"Fichas de fracciones", "Ficha de fracciones para quinto"} <= found
    marked = [part["text"] for edge in edges for part in edge["node"]["highlight"]
              if part["matched"]]
    assert "fracciones" in marked


def test_search_from_mongodb_s_text_index_when_the_setting_says_so(mongodb_uri: str) -> None:
    database = f"test_e2e_{uuid.uuid4().hex[:8]}"
    env = {"APP_MONGODB_URI": mongodb_uri, "APP_SEARCH_BACKEND": "text",
           "APP_MONGODB_DATABASE": database}
    with running_server(env) as server, MongoClient(mongodb_uri) as client:
        _, tom, _ = shared_discussion(server, "Cometas de papel", "Fichas de cometas")
        edges = searched(tom, "cometas", at_least=1)
        found = [edge["node"]["node"].get("title") for edge in edges]
        assert "Fichas de cometas" in found
        assert all("cometas" in [part["text"].lower() for part in edge["node"]["highlight"]
                                 if part["matched"]] for edge in edges)
        # Served by the text index, which the indexer keeps; Agora's own index stays empty.
        assert client[database]["search_texts"].count_documents({}) >= 2
        assert client[database]["search_entries"].count_documents({}) == 0
