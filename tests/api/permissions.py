"""Who may call which mutation: the table the permission matrix test enforces.

`docs/permissions.md` is rendered from it (`python -m tests.api.permissions > docs/...`), and
a test fails when the two differ.

The actors, in a group that is active and open unless the row says otherwise:
  anonymous   no token
  teacher     a signed-in teacher who is not a member
  member      a member
  moderator   a moderator
  owner       the owner
  css         a Central Support Service user
  nss_same    a National Support Service user of the owner's country
  nss_other   a National Support Service user of another country
"""

ACTORS = (
    "anonymous", "teacher", "member", "moderator", "owner", "css", "nss_same", "nss_other",
)

# mutation: (who may, on what)
MATRIX: dict[str, tuple[str, str]] = {
    "createGroup": ("teacher member moderator owner css nss_same nss_other",
                    "propose a group"),
    "createGroup (featured)": ("css", "create a featured group, active at once"),
    "updateGroup": ("owner", "edit a pending group's form"),
    "updateGroup (active)": ("owner", "edit an active group's form"),
    "updateGroup (closed)": ("", "edit a closed group's form (nobody: it is read-only)"),
    "approveGroup": ("css", "approve a pending group"),
    "rejectGroup": ("css", "reject a pending group"),
    "requestGroupInfo": ("css", "ask the owner of a pending group for more"),
    "answerInfoRequest": ("owner", "answer the CSS's request"),
    "closeGroup": ("owner css nss_same", "close an active group"),
    "reopenGroup": ("css", "reopen a closed group"),
    "reopenGroup (active)": ("", "reopen an active group (nobody: it is open)"),
    "withdrawGroup": ("owner", "withdraw a pending proposal"),
    "withdrawGroup (asked)": ("owner", "withdraw a proposal the CSS asked about"),
    "withdrawGroup (active)": ("", "withdraw an active group (nobody: it is closed instead)"),
    "setGroupFeatured": ("css", "feature a group"),
    "setGroupFeatured (pending)": ("", "feature a pending group (nobody: active groups only)"),
    "joinGroup": ("teacher member moderator owner css nss_same nss_other",
                  "join an open group (members: no change)"),
    "joinGroup (invite-only)": ("member moderator owner",
                                "join an invite-only group without an invitation "
                                "(members: no change)"),
    "leaveGroup": ("teacher member moderator css nss_same nss_other",
                   "leave (the last owner may not; non-members: no change)"),
    "inviteMember": ("moderator owner", "invite a teacher"),
    "respondToInvitation": ("teacher", "answer an invitation addressed to the teacher"),
    "setMemberRole": ("owner css", "make a member a moderator"),
    "setMemberRole (featured)": ("css", "make a member a moderator of a featured group"),
    "setMemberRole (featured owner)": ("css", "make a member an owner of a featured group"),
    "removeMember": ("moderator owner css nss_same", "remove a member"),
    "setGroupImage": ("moderator owner", "set the image"),
    "setWelcomeMessage": ("moderator owner", "set the welcome message"),
    "addPage": ("moderator owner", "add a page"),
    "updatePage": ("moderator owner", "edit a page"),
    "movePage": ("moderator owner", "move a page"),
    "removePage": ("moderator owner", "remove a page"),
    "startDiscussion": ("member moderator owner", "open a discussion"),
    "addPost": ("member moderator owner", "post in a discussion"),
    "editPost": ("member", "edit one's own post"),
    "editPost (hidden post)": ("", "edit one's own post once it is hidden"),
    "editPost (locked discussion)": ("", "edit one's own post in a locked discussion"),
    "editPost (closed group)": ("", "edit one's own post in a closed group"),
    "editPost (author removed)": ("", "edit one's own post after being removed from the group"),
    "deletePost": ("member moderator owner css nss_same", "delete a member's post"),
    "deletePost (hidden post)": ("moderator owner css nss_same",
                                 "delete a hidden post (not its author)"),
    "deletePost (locked discussion)": ("moderator owner css nss_same",
                                       "delete a post in a locked discussion (not its author)"),
    "deletePost (closed group)": ("", "delete a post in a closed group (nobody: read-only)"),
    "deletePost (author removed)": ("moderator owner css nss_same",
                                    "delete the post of a removed member (not its author)"),
    "hidePost": ("moderator owner css nss_same", "hide a post"),
    "restorePost": ("moderator owner css nss_same", "restore a hidden post"),
    "lockDiscussion": ("moderator owner css nss_same", "lock a discussion"),
    "pinDiscussion": ("moderator owner css nss_same", "pin a discussion"),
    "reportPost": ("teacher member moderator owner css nss_same nss_other",
                   "report a post in an open group"),
    "fileReport (discussion)": ("teacher member moderator owner css nss_same nss_other",
                                "report a discussion in an open group"),
    "fileReport (page)": ("teacher member moderator owner css nss_same nss_other",
                          "report a page of an open group"),
    "fileReport (group)": ("teacher member moderator owner css nss_same nss_other",
                           "report a group"),
    "resolveReport": ("moderator owner css nss_same", "act on a report"),
    "resolveReport (group)": ("css nss_same",
                              "act on a report on a group (not its own leaders)"),
    "exemptFromInactivity": ("css nss_same", "exempt a group from the inactivity watch"),
    "endInactivityExemption": ("css nss_same", "end a group's exemption"),
    "assignAdvisor": ("css", "make a CSS user the group's advisor"),
    "proposeForFeaturing": ("nss_same", "propose a group for featuring"),
    "decideFeaturingCandidate": ("css", "accept a group proposed for featuring"),
    "setNetiquette": ("css", "publish a new version of the netiquette"),
    "acceptNetiquette": ("teacher member moderator owner css nss_same nss_other",
                         "accept the current netiquette"),
    "markNotificationsRead": ("teacher member moderator owner css nss_same nss_other",
                              "mark one's own notifications read"),
    "followDiscussion": ("teacher member moderator owner css nss_same nss_other",
                         "follow a discussion of an open group"),
    "muteDiscussion": ("teacher member moderator owner css nss_same nss_other",
                       "mute a discussion of an open group"),
    "setGroupNotifyLevel": ("member moderator owner",
                            "choose of which new posts in a group one is told"),
    "markDiscussionRead": ("teacher member moderator owner css nss_same nss_other",
                           "mark a discussion of an open group read"),
}


def allowed(mutation: str, actor: str) -> bool:
    return actor in MATRIX[mutation][0].split()


def render() -> str:
    """The table as Markdown."""
    lines = [
        "# Who may do what",
        "",
        "Each row is a mutation; ✓ marks the actors who may call it. Anyone else gets an",
        "`UnauthenticatedError` (no token), a `ForbiddenError`, a `NotFoundError` (for",
        "objects they may not see), or an `InvalidTransitionError` (for what the target's",
        "state forbids: a closed group, a locked discussion, a hidden or deleted post), and",
        "nothing changes. The table is enforced by",
        "`tests/api/test_permission_matrix.py`, which renders this page from the same data.",
        "",
        "| mutation | " + " | ".join(ACTORS) + " | what it does |",
        "|---|" + "---|" * len(ACTORS) + "---|",
    ]
    for mutation, (_, what) in MATRIX.items():
        marks = " | ".join("✓" if allowed(mutation, actor) else "" for actor in ACTORS)
        lines.append(f"| `{mutation}` | {marks} | {what} |")
    lines += [
        "",
        "Reading: an active group's title, description, objectives, topics, languages, image",
        "and member count are visible to every signed-in teacher. Pages, the welcome message",
        "and the member list are visible to every signed-in teacher for open groups, and to",
        "members only for invite-only groups. Pending, info-requested and rejected groups are",
        "visible to their owner, the CSS, and NSS users of the owner's country. The CSS sees",
        "everything; NSS users see everything of groups whose owner is in their country.",
        "A group's readiness for members, its advisor, its inactivity status and its",
        "exemption are visible to its owner, its moderators and the support services that",
        "oversee it. Reports on a group reach the CSS and the NSS of its country, not the",
        "group's own leaders; candidates for featuring are seen by the CSS and the NSS of the",
        "group's country. The netiquette is public.",
        "",
        "Writing: members write in active groups only; a closed group is read-only for",
        "everyone. An author edits or deletes their own post while they are a member, the",
        "discussion is not locked, and the post is not hidden. Moderators (and the CSS, and",
        "NSS users of the owner's country) delete any post of an active group. Once the CSS",
        "has published a netiquette, posting and starting a discussion also need its current",
        "version accepted (joining a group accepts it).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
