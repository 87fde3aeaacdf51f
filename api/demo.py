"""`python -m api seed-demo`: a small, realistic community, written through the use cases.

Idempotent: a group that exists (by title) is left alone, and so are its discussions; users are
recorded as their tokens would record them. Running it twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from resolvers import discussions, groups, membership, reports
from resolvers.domain.actors import Actor, Role
from resolvers.domain.forms import GroupForm
from resolvers.domain.groups import GroupAction, Participation, oversight_scope
from resolvers.domain.paging import Seek
from resolvers.domain.rate_limits import RateLimits
from resolvers.domain.reports import ReportReason
from resolvers.store import Store
from resolvers.store.groups import GroupFilter

_TEACHERS = [
    ("ana", "Ana García", "ES"), ("luis", "Luis Moreno", "ES"), ("claire", "Claire Martin", "FR"),
    ("julien", "Julien Petit", "FR"), ("giulia", "Giulia Rossi", "IT"),
    ("marco", "Marco Bianchi", "IT"), ("jonas", "Jonas Weber", "DE"),
    ("sofia", "Sofia Costa", "PT"), ("kasia", "Katarzyna Nowak", "PL"),
    ("eleni", "Eleni Papadopoulou", "GR"),
]
CSS = Actor("css-maria", "María (Central Support Service)", frozenset({Role.CSS}))
NSS = [
    Actor("nss-es", "Spanish NSS", frozenset({Role.NSS}), "ES"),
    Actor("nss-fr", "French NSS", frozenset({Role.NSS}), "FR"),
]
# No limits: the seed writes quickly, as one user would not.
_UNLIMITED = RateLimits({"createGroup": "100000/minute", "startDiscussion": "100000/minute",
                         "addPost": "100000/minute", "reportPost": "100000/minute"})


@dataclass(frozen=True)
class _Group:
    title: str
    owner: str
    languages: str
    topics: str
    about: str  # what the group does, in English: it makes the description and objectives
    status: str = "ACTIVE"  # ACTIVE, PENDING, INFO_REQUESTED, REJECTED, CLOSED, FEATURED
    participation: Participation = Participation.OPEN


_GROUPS = [
    _Group("Coding with robots in primary", "ana", "en es", "coding, robotics, primary",
           "teach block coding with small robots to pupils aged 6 to 11", "FEATURED"),
    _Group("Climate detectives", "claire", "en fr", "climate, science, environment",
           "collect local weather data with pupils and compare climate trends across Europe",
           "FEATURED"),
    _Group("European citizenship today", "giulia", "en it", "citizenship, europe",
           "run debates and simulations on how European institutions work", "FEATURED"),
    _Group("Maths through board games", "luis", "es en", "mathematics, games",
           "share board games that teach fractions and geometry in lower secondary"),
    _Group("Reading for pleasure", "jonas", "de en", "reading, literacy",
           "start book clubs and author visits that make pupils love reading"),
    _Group("Digital storytelling", "marco", "it en", "storytelling, digital",
           "create digital stories on tablets with young pupils and swap them with partners"),
    _Group("Inclusive classrooms", "sofia", "pt en", "inclusion, special needs",
           "share adapted materials for pupils with special educational needs"),
    _Group("Songs to learn English", "ana", "es en", "english, music, pre-primary",
           "use songs and rhymes to teach English vocabulary to young children"),
    _Group("Student companies", "kasia", "pl en", "entrepreneurship, secondary",
           "run mini student companies and an online fair between partner schools"),
    _Group("Local heritage, shared museum", "julien", "fr en", "history, heritage",
           "explore local history with students and build a shared virtual museum"),
    _Group("Games from every playground", "eleni", "el en", "physical education, games",
           "exchange traditional outdoor games and hold a common sports day"),
    _Group("Fake news detectives", "jonas", "de en", "media literacy, citizenship",
           "teach students to check sources and recognise misleading news"),
    _Group("Scratch studio", "luis", "es en", "coding, secondary, games",
           "build animations and games in Scratch and review each other's projects"),
    _Group("Biodiversity around our school", "claire", "fr en", "biodiversity, science",
           "record the plants and insects around our schools and compare findings"),
    _Group("Poetry without borders", "kasia", "pl en", "poetry, languages",
           "write poems in the mother tongue, translate them and publish an anthology"),
    _Group("Kitchen chemistry", "sofia", "pt en", "chemistry, science",
           "design safe chemistry experiments with kitchen ingredients and film them"),
    _Group("Art and emotions", "giulia", "it en", "arts, wellbeing",
           "use drawing and painting to help young pupils talk about their feelings"),
    _Group("Maps and open data", "eleni", "el en", "geography, maps",
           "teach map reading with open geographic data and collaborative maps"),
    _Group("Teachers' wellbeing circle", "marco", "it en", "wellbeing, teachers",
           "share practices that support teacher wellbeing and prevent burnout",
           participation=Participation.INVITE_ONLY),
    _Group("Philosophy for children", "julien", "fr en", "philosophy, primary",
           "run philosophical discussions with children to build critical thinking"),
    _Group("Water, a shared resource", "ana", "es en", "environment, water",
           "measure water use at school and design campaigns to save it", "PENDING"),
    _Group("Greek myths on stage", "eleni", "el en", "classics, drama",
           "read and act out ancient Greek myths with students of classics", "PENDING"),
    _Group("Composing with free software", "jonas", "de en", "music, digital",
           "compose short pieces with free software and perform an online concert", "PENDING"),
    _Group("Forest school ideas", "sofia", "pt en", "outdoor learning, pre-primary",
           "share outdoor learning activities in forests and school gardens", "PENDING"),
    _Group("Debate club in English", "kasia", "pl en", "english, debate",
           "organise online debates in English between secondary language learners",
           "INFO_REQUESTED"),
    _Group("Money skills for teenagers", "luis", "es en", "economics, secondary",
           "teach budgeting and saving with games and real-life scenarios", "INFO_REQUESTED"),
    _Group("Buy our textbooks", "marco", "it en", "commercial",
           "promote a publisher's textbooks and sell classroom licences", "REJECTED"),
    _Group("Homework answers exchange", "julien", "fr en", "homework",
           "share the answers to homework so that pupils can copy them quickly", "REJECTED"),
    _Group("Sign language for all", "claire", "fr en", "inclusion, sign language",
           "introduce basic sign language so that hearing pupils include deaf classmates",
           "CLOSED"),
    _Group("Astronomy nights", "giulia", "it en", "astronomy, science",
           "observe the moon and planets with students and plan a shared stargazing night",
           "CLOSED"),
]

_THREADS = [
    ("Introduce yourself!", ["Hello from my class of 24 curious pupils.",
                             "Hi all, we start the project next month.",
                             "Welcome! Please add your school's city too."]),
    ("Ideas for the first activity", ["A photo exchange of our classrooms?",
                                      "We could record short video greetings.",
                                      "Let's vote on Friday."]),
]


def _form(group: _Group) -> GroupForm:
    return GroupForm(
        title=group.title,
        description=f"A group for teachers who want to {group.about}.",
        objectives=f"Together we will {group.about}, share what works in our classrooms, and "
                   "plan a joint project for the school year.",
        participation=group.participation,
        languages=tuple(group.languages.split()),
        topics=tuple(topic.strip() for topic in group.topics.split(",")),
    )


async def _existing(store: Store, title: str) -> bool:
    terms = tuple(groups.search_terms(title))
    found, _ = await store.groups.page(scope=oversight_scope(),
                                       criteria=GroupFilter(search_terms=terms), seek=Seek(),
                                       limit=50)
    return any(doc["title"] == title for doc in found)


async def seed_demo(
    store: Store, *, now: datetime | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> int:
    """Write the demo community; returns how many groups were created now."""
    now = now or datetime.now(UTC)
    teachers = {sub: Actor(sub, name, frozenset({Role.TEACHER}), country)
                for sub, name, country in _TEACHERS}
    for person in (*teachers.values(), CSS, *NSS):
        await store.users.record(actor=person, now=now)
    created = 0
    for index, spec in enumerate(_GROUPS, start=1):
        if await _existing(store, spec.title):
            continue
        created += 1
        owner = teachers[spec.owner]
        when = now - timedelta(days=120 - 3 * index)
        featured = spec.status == "FEATURED"
        doc = await groups.create_group(
            store=store, actor=CSS if featured else owner, form=_form(spec), now=when,
            similar_recorded=3, featured=featured,
        )
        group_id = str(doc["_id"])
        await _advance(store, group_id, spec.status, when)
        if spec.status in ("ACTIVE", "FEATURED"):
            await _populate(store, group_id, owner, list(teachers.values()), index, when)
        progress(f"[{index}/{len(_GROUPS)}] {spec.title}: {spec.status.lower()}")
    return created


async def _advance(store: Store, group_id: str, status: str, when: datetime) -> None:
    steps: dict[str, list[tuple[GroupAction, Actor, str | None]]] = {
        "ACTIVE": [(GroupAction.APPROVE, CSS, None)],
        "INFO_REQUESTED": [(GroupAction.REQUEST_INFO, CSS,
                            "Which age groups will take part, and how often will you meet?")],
        "REJECTED": [(GroupAction.REJECT, CSS,
                      "The platform is for teachers' collaboration, not commerce or shortcuts.")],
        "CLOSED": [(GroupAction.APPROVE, CSS, None),
                   (GroupAction.CLOSE, CSS, "The project ended; thank you all.")],
    }
    for action, actor, message in steps.get(status, []):
        await groups.transition_group(store=store, actor=actor, group_id=group_id,
                                      action=action, message=message, now=when)


async def _populate(
    store: Store, group_id: str, owner: Actor, teachers: list[Actor], index: int,
    when: datetime,
) -> None:
    members = [t for t in teachers if t.id != owner.id][index % 3: index % 3 + 4]
    group = await store.groups.get(group_id=group_id)
    assert group is not None
    for member in members:
        if group["participation"] == Participation.INVITE_ONLY:
            invitation = await membership.invite_member(
                store=store, actor=owner, group_id=group_id, user_id=member.id, now=when)
            await membership.respond_to_invitation(
                store=store, actor=member, invitation_id=invitation["_id"], accept=True,
                now=when)
        else:
            await membership.join_group(store=store, actor=member, group_id=group_id, now=when)
    if group.get("featured"):  # the CSS owns featured groups; their teacher joins them
        await membership.join_group(store=store, actor=owner, group_id=group_id, now=when)
    author = members[0] if group.get("featured") else owner
    for title, replies in _THREADS:
        thread = await discussions.start_discussion(
            store=store, actor=author, group_id=group_id, title=title, body=replies[0],
            now=when, limits=_UNLIMITED)
        for position, body in enumerate(replies[1:]):
            post = await discussions.add_post(
                store=store, actor=members[position % len(members)],
                discussion_id=str(thread["_id"]), body=body, reply_to_id=None,
                client_mutation_id=None, now=when, limits=_UNLIMITED)
        if index % 7 == 0:  # now and then, someone reports the last post
            await reports.report_post(
                store=store, actor=members[-1], post_id=str(post["_id"]),
                reason=ReportReason.OFF_TOPIC, note="Does not belong in this thread",
                now=when, limits=_UNLIMITED)
