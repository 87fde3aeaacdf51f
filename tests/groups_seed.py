"""Thirty groups in several languages, on overlapping topics, for similarity tests."""

from resolvers.domain.forms import GroupForm
from resolvers.domain.groups import Participation


def _form(title: str, description: str, objectives: str, languages: str, topics: str) -> GroupForm:
    return GroupForm(
        title=title,
        description=description,
        objectives=objectives,
        participation=Participation.OPEN,
        languages=tuple(languages.split()),
        topics=tuple(topic.strip() for topic in topics.split(",")),
    )


NEAR_DUPLICATE = _form(
    "Robotics and coding in primary school",
    "Teachers who bring robots and block coding into primary classrooms.",
    "Exchange lesson plans for teaching coding with educational robots to primary pupils, "
    "and run a joint robotics challenge between our schools.",
    "en es",
    "robotics, coding, primary",
)

UNRELATED = _form(
    "Baroque music appreciation",
    "Listening guides for Bach, Vivaldi and Handel in the music classroom.",
    "Build listening guides for baroque music and share concert recordings for "
    "secondary music lessons.",
    "en de",
    "music, arts",
)

OTHERS = [
    _form("Matemáticas y juegos de mesa", "Profesores que enseñan matemáticas con juegos.",
          "Share board games that teach fractions and geometry, and compare results "
          "between classes.", "es", "mathematics, games"),
    _form("Les sciences au collège", "Des expériences de physique et de chimie en classe.",
          "Design simple science experiments for lower secondary students and publish "
          "them as worksheets.", "fr", "science, secondary"),
    _form("Climate change in the classroom", "Teaching climate science with local data.",
          "Collect local weather data with students and compare climate trends across "
          "European schools.", "en", "climate, science, environment"),
    _form("Lesen macht Spaß", "Leseförderung in der Grundschule.",
          "Promote reading for pleasure in primary school with shared book clubs and "
          "author visits.", "de", "reading, literacy, primary"),
    _form("Storytelling with tablets", "Digital storytelling projects for young pupils.",
          "Create digital stories on tablets with young pupils and exchange them with "
          "partner classes abroad.", "en it", "storytelling, digital, primary"),
    _form("Educazione civica europea", "Cittadinanza attiva e istituzioni europee.",
          "Teach active citizenship and how European institutions work through "
          "simulations and debates.", "it", "citizenship, europe"),
    _form("Inclusive classrooms", "Strategies for pupils with special educational needs.",
          "Share inclusive teaching strategies and adapted materials for pupils with "
          "special educational needs.", "en pt", "inclusion, special needs"),
    _form("Aprender inglés cantando", "Canciones para aprender inglés en infantil.",
          "Use songs and rhymes to teach English vocabulary to pre-primary children "
          "and share recordings.", "es en", "english, music, pre-primary"),
    _form("Entrepreneurship for teenagers", "Student companies in secondary schools.",
          "Run mini student companies in secondary school and hold an international "
          "online fair.", "en", "entrepreneurship, secondary"),
    _form("Histoire locale et patrimoine", "Le patrimoine de nos villes.",
          "Explore local history and cultural heritage with students and build a "
          "shared virtual museum.", "fr en", "history, heritage"),
    _form("Physical education games", "Outdoor games from every country.",
          "Exchange traditional outdoor games and organise a common sports day "
          "across partner schools.", "en", "physical education, games"),
    _form("Media literacy and fake news", "Checking sources with secondary students.",
          "Teach students to recognise fake news and verify online sources with "
          "practical exercises.", "en nl", "media literacy, citizenship"),
    _form("Programación creativa con Scratch", "Proyectos de Scratch en secundaria.",
          "Build creative animations and games with Scratch in lower secondary and "
          "share the projects.", "es", "coding, secondary, games"),
    _form("Biodiversity around our school", "Mapping plants and insects near schools.",
          "Observe biodiversity around our schools, record species and compare "
          "findings between countries.", "en fr", "biodiversity, science, environment"),
    _form("Poetry exchange", "Students write and translate poems.",
          "Write poems in the mother tongue, translate them into English and publish "
          "a multilingual anthology.", "en pl", "poetry, languages"),
    _form("Chemistry in the kitchen", "Experiments with everyday ingredients.",
          "Design chemistry experiments with kitchen ingredients for secondary "
          "students and film them.", "en", "chemistry, science"),
    _form("Art and emotions", "Painting and drawing to express feelings.",
          "Use drawing and painting to help young pupils talk about emotions and "
          "share an online gallery.", "en es", "arts, wellbeing"),
    _form("Geography through maps", "Map skills with open data.",
          "Teach map reading and spatial thinking with open geographic data and "
          "collaborative maps.", "en", "geography, maps"),
    _form("Wellbeing for teachers", "Preventing burnout in schools.",
          "Share practices that support teacher wellbeing and prevent burnout in "
          "demanding schools.", "en", "wellbeing, teachers"),
    _form("Philosophy for children", "Thinking together in primary school.",
          "Run philosophical discussions with primary children to develop critical "
          "thinking and respect.", "en fr", "philosophy, primary"),
    _form("Water, a shared resource", "Water saving projects.",
          "Measure water consumption at school and design campaigns to save water "
          "with students.", "en es", "environment, water"),
    _form("Ancient Greek myths", "Myths in the Latin and Greek classroom.",
          "Read and dramatise ancient Greek myths with students of classical "
          "languages.", "en el", "classics, history"),
    _form("Music composition online", "Composing with free software.",
          "Compose short pieces with free music software and perform them in an "
          "online concert.", "en", "music, digital"),
    _form("Early years outdoor learning", "Forest school ideas.",
          "Share outdoor learning activities for pre-primary children in forests "
          "and school gardens.", "en", "outdoor learning, pre-primary"),
    _form("Debating in English", "Debate clubs for language learners.",
          "Organise online debates in English between secondary language learners "
          "from different countries.", "en", "english, debate, secondary"),
    _form("Financial literacy", "Money skills for teenagers.",
          "Teach budgeting and saving to teenagers with games and real-life "
          "scenarios.", "en", "economics, secondary"),
    _form("Sign language for all", "Basic sign language in class.",
          "Introduce basic sign language to hearing pupils to include deaf "
          "classmates.", "en", "inclusion, sign language"),
    _form("Astronomy club", "Watching the night sky with students.",
          "Observe the moon and planets with students, share photos and plan a "
          "common stargazing night.", "en", "astronomy, science"),
]

assert len(OTHERS) + 2 == 30
