"""How the support services watch over a group, over HTTP against the real server: an
advisor, an exemption, and a candidate for featuring."""

import pytest

from tests.acceptance.server import Caller
from tests.acceptance.test_group_story import CREATE, GROUP_STATE, form_input
from tests.groups_seed import NEAR_DUPLICATE

pytestmark = pytest.mark.e2e

OVERSIGHT = """query($id: ID!) { group(id: $id) { featured advisor { name }
  inactivity { due daysInactive } inactivityExemption { reason grantedBy { name } } } }"""
CANDIDATES = """{ featuringCandidates(first: 10, status: PROPOSED) {
  edges { node { id reason group { title } proposer { name } } } } }"""


def test_an_advisor_an_exemption_and_a_featured_group(server: str) -> None:
    css = Caller(server, "carla", "role=CSS")
    ada = Caller(server, "ada", "role=CSS")
    nss_es = Caller(server, "nuria", "role=NSS", "country=ES")
    nss_fr = Caller(server, "francois", "role=NSS", "country=FR")
    olga = Caller(server, "olga4", "country=ES")
    tom = Caller(server, "tom4", "country=ES")
    ada("{ me { name } }")  # known to Agora, as a member of the CSS
    group = olga(CREATE, input=form_input(NEAR_DUPLICATE, title="A watched group"))[
        "createGroup"]
    css.step("approveGroup", "ApproveGroupInput", GROUP_STATE, groupId=group["id"])
    ada_id = ada("{ me { id } }")["me"]["id"]

    # The CSS makes Ada its advisor; a teacher cannot, and a teacher cannot advise.
    assert olga.step("assignAdvisor", "AssignAdvisorInput", groupId=group["id"],
                     advisorId=ada_id)["__typename"] == "ForbiddenError"
    not_css = css.step("assignAdvisor", "AssignAdvisorInput", groupId=group["id"],
                       advisorId=olga("{ me { id } }")["me"]["id"])
    assert not_css["__typename"] == "ValidationError"
    css.step("assignAdvisor", "AssignAdvisorInput", groupId=group["id"], advisorId=ada_id)
    assert [edge["node"]["title"] for edge in ada(
        "{ advisedGroups(first: 5) { edges { node { title } } } }")["advisedGroups"]["edges"]
    ] == ["A watched group"]

    # The NSS of Spain exempts it; the owner sees why and by whom, a teacher sees nothing.
    exempt = nss_es.step("exemptFromInactivity", "ExemptFromInactivityInput", GROUP_STATE,
                         groupId=group["id"], until="2099-01-01T00:00:00Z",
                         reason="A school term abroad")
    assert exempt["status"] == "ACTIVE"
    assert olga(OVERSIGHT, id=group["id"])["group"] == {
        "featured": False, "advisor": {"name": "Ada"},
        "inactivity": {"due": False, "daysInactive": 0},
        "inactivityExemption": {"reason": "A school term abroad",
                                "grantedBy": {"name": "Nuria"}}}
    assert tom(OVERSIGHT, id=group["id"])["group"] == {
        "featured": False, "advisor": None, "inactivity": None, "inactivityExemption": None}

    # Proposed for featuring by the NSS of Spain, not of France; the CSS accepts.
    refused = nss_fr.step("proposeForFeaturing", "ProposeForFeaturingInput",
                          groupId=group["id"], reason="Popular")
    assert refused["__typename"] == "ForbiddenError"
    nss_es.step("proposeForFeaturing", "ProposeForFeaturingInput", groupId=group["id"],
                reason="Many members")
    (candidate,) = [edge["node"] for edge in css(CANDIDATES)["featuringCandidates"]["edges"]
                    if edge["node"]["group"]["title"] == "A watched group"]
    assert (candidate["reason"], candidate["proposer"]) == ("Many members", {"name": "Nuria"})
    assert nss_fr(CANDIDATES)["featuringCandidates"]["edges"] == []
    accepted = css.step("decideFeaturingCandidate", "DecideFeaturingCandidateInput",
                        "... on FeaturingCandidate { status }",
                        candidateId=candidate["id"], accept=True, note="Welcome aboard")
    assert accepted["status"] == "ACCEPTED"
    assert olga(OVERSIGHT, id=group["id"])["group"]["featured"] is True
