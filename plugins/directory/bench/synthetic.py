"""A deterministic synthetic directory: N valid profiles written as YAML, for benchmarks.

The text is made of real English words with real frequencies: the vocabulary and its counts are
harvested from prose that ships with every Python, the docstrings of the standard library and
the language reference behind help() (pydoc_data.topics), so term statistics (a few very common
words, a long tail of rare ones) resemble those of real profiles; they are harvested once into
vocabulary.txt beside this file (harvest_vocabulary), so every Python draws the same words.
Words are drawn with Zipf weights by rank. A short civic vocabulary is mixed in so that the
profiles read like this directory's.
"""

from __future__ import annotations

import ast
import random
import re
import sysconfig
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..relations import slugify
from ..search.analyzer import keep, words
from ..validation import identity_name

SHARES = {"startup": 0.70, "program": 0.10, "mentor": 0.20}

CITIES = [  # (city, region): ~330 with MORE_CITIES, accented names included
    ("Los Angeles", "California"), ("San Francisco", "California"), ("San José", "California"),
    ("Oakland", "California"), ("Sacramento", "California"), ("Fresno", "California"),
    ("Long Beach", "California"), ("San Diego", "California"), ("Berkeley", "California"),
    ("Riverside", "California"), ("Santa Ana", "California"), ("Stockton", "California"),
    ("Bakersfield", "California"), ("Anaheim", "California"), ("Irvine", "California"),
    ("Chula Vista", "California"), ("Modesto", "California"), ("Pasadena", "California"),
    ("Santa Rosa", "California"), ("Salinas", "California"), ("Seattle", "Washington"),
    ("Tacoma", "Washington"), ("Spokane", "Washington"), ("Portland", "Oregon"),
    ("Eugene", "Oregon"), ("Boise", "Idaho"), ("Denver", "Colorado"), ("Boulder", "Colorado"),
    ("Phoenix", "Arizona"), ("Tucson", "Arizona"), ("Tempe", "Arizona"), ("Las Vegas", "Nevada"),
    ("Reno", "Nevada"), ("Salt Lake City", "Utah"), ("Albuquerque", "New Mexico"),
    ("Santa Fe", "New Mexico"), ("Austin", "Texas"), ("Dallas", "Texas"), ("Houston", "Texas"),
    ("San Antonio", "Texas"), ("El Paso", "Texas"), ("Fort Worth", "Texas"),
    ("Oklahoma City", "Oklahoma"), ("Tulsa", "Oklahoma"), ("Kansas City", "Missouri"),
    ("St. Louis", "Missouri"), ("Omaha", "Nebraska"), ("Minneapolis", "Minnesota"),
    ("Saint Paul", "Minnesota"), ("Des Moines", "Iowa"), ("Chicago", "Illinois"),
    ("Milwaukee", "Wisconsin"), ("Madison", "Wisconsin"), ("Detroit", "Michigan"),
    ("Grand Rapids", "Michigan"), ("Ann Arbor", "Michigan"), ("Cleveland", "Ohio"),
    ("Columbus", "Ohio"), ("Cincinnati", "Ohio"), ("Indianapolis", "Indiana"),
    ("Louisville", "Kentucky"), ("Nashville", "Tennessee"), ("Memphis", "Tennessee"),
    ("Chattanooga", "Tennessee"), ("Atlanta", "Georgia"), ("Savannah", "Georgia"),
    ("Birmingham", "Alabama"), ("New Orleans", "Louisiana"), ("Baton Rouge", "Louisiana"),
    ("Jackson", "Mississippi"), ("Little Rock", "Arkansas"), ("Miami", "Florida"),
    ("Orlando", "Florida"), ("Tampa", "Florida"), ("Jacksonville", "Florida"),
    ("Charlotte", "North Carolina"), ("Raleigh", "North Carolina"), ("Durham", "North Carolina"),
    ("Charleston", "South Carolina"), ("Richmond", "Virginia"), ("Norfolk", "Virginia"),
    ("Washington", "District of Columbia"), ("Baltimore", "Maryland"),
    ("Philadelphia", "Pennsylvania"), ("Pittsburgh", "Pennsylvania"), ("Newark", "New Jersey"),
    ("Jersey City", "New Jersey"), ("New York", "New York"), ("Buffalo", "New York"),
    ("Rochester", "New York"), ("Boston", "Massachusetts"), ("Cambridge", "Massachusetts"),
    ("Worcester", "Massachusetts"), ("Providence", "Rhode Island"), ("Hartford", "Connecticut"),
    ("New Haven", "Connecticut"), ("Burlington", "Vermont"), ("Portland (Maine)", "Maine"),
    ("Anchorage", "Alaska"), ("Honolulu", "Hawaii"), ("San Juan", "Puerto Rico"),
    ("Mayagüez", "Puerto Rico"), ("Toronto", "Ontario"), ("Ottawa", "Ontario"),
    ("Montréal", "Québec"), ("Québec City", "Québec"), ("Trois-Rivières", "Québec"),
    ("Vancouver", "British Columbia"), ("Calgary", "Alberta"), ("Edmonton", "Alberta"),
    ("Winnipeg", "Manitoba"), ("Halifax", "Nova Scotia"), ("Mexico City", "Ciudad de México"),
    ("Guadalajara", "Jalisco"), ("Monterrey", "Nuevo León"), ("Querétaro", "Querétaro"),
    ("Mérida", "Yucatán"), ("León", "Guanajuato"), ("Ciudad Juárez", "Chihuahua"),
    ("Tijuana", "Baja California"), ("Puebla", "Puebla"), ("Bogotá", "Cundinamarca"),
    ("Medellín", "Antioquia"), ("Cali", "Valle del Cauca"), ("Lima", "Lima"),
    ("Santiago", "Región Metropolitana"), ("Valparaíso", "Valparaíso"),
    ("Buenos Aires", "Buenos Aires"), ("Córdoba", "Córdoba"), ("Montevideo", "Montevideo"),
    ("São Paulo", "São Paulo"), ("Florianópolis", "Santa Catarina"), ("Brasília", "Distrito Federal"),
    ("Curitiba", "Paraná"), ("Madrid", "Comunidad de Madrid"), ("Barcelona", "Cataluña"),
    ("Málaga", "Andalucía"), ("Lisbon", "Lisboa"), ("Porto", "Norte"), ("Paris", "Île-de-France"),
    ("Lyon", "Auvergne-Rhône-Alpes"), ("Orléans", "Centre-Val de Loire"),
    ("Besançon", "Bourgogne-Franche-Comté"), ("Zürich", "Zürich"), ("Genève", "Genève"),
    ("München", "Bayern"), ("Düsseldorf", "Nordrhein-Westfalen"), ("Köln", "Nordrhein-Westfalen"),
    ("Berlin", "Berlin"), ("Wien", "Wien"), ("Kraków", "Małopolskie"), ("Gdańsk", "Pomorskie"),
    ("Praha", "Praha"), ("Malmö", "Skåne"), ("Göteborg", "Västra Götaland"),
    ("Reykjavík", "Höfuðborgarsvæðið"), ("Tromsø", "Troms"), ("Aarhus", "Midtjylland"),
    ("Amsterdam", "Noord-Holland"), ("Rotterdam", "Zuid-Holland"), ("Gent", "Oost-Vlaanderen"),
    ("Dublin", "Leinster"), ("Cork", "Munster"), ("Glasgow", "Scotland"),
    ("Manchester", "England"), ("Bristol", "England"), ("Cardiff", "Wales"),
    ("İzmir", "İzmir"), ("Thessaloníki", "Central Macedonia"), ("Nairobi", "Nairobi"),
    ("Kigali", "Kigali"), ("Accra", "Greater Accra"), ("Cape Town", "Western Cape"),
    ("Bengaluru", "Karnataka"), ("Pune", "Maharashtra"), ("Singapore", "Singapore"),
    ("Taipei", "Taiwan"), ("Seoul", "Seoul"), ("Melbourne", "Victoria"), ("Auckland", "Auckland"),
]

# More places, so that a large directory has a few hundred cities, most with a handful of
# profiles and a few with many (profiles pick cities with Zipf-like weights).
MORE_CITIES = [(city.strip(), region) for region, cities in {
    "California": "Glendale, Huntington Beach, Santa Clarita, Fremont, San Bernardino, Oxnard, "
                  "Fontana, Moreno Valley, Ontario, Elk Grove, Corona, Lancaster, Palmdale, "
                  "Hayward, Sunnyvale, Pomona, Escondido, Torrance, Roseville, Fullerton, "
                  "Visalia, Concord, Thousand Oaks, Santa Clara, Vallejo, Victorville, El Monte, "
                  "Inglewood, Burbank, Daly City, Santa Monica, Davis, Redding, Chico, San Mateo, "
                  "Palo Alto, Mountain View, Santa Cruz, Monterey, San Luis Obispo, Santa Barbara",
    "Washington": "Bellevue, Everett, Kent, Renton, Yakima, Olympia, Bellingham, Vancouver (WA)",
    "Oregon": "Salem, Gresham, Hillsboro, Bend, Medford, Corvallis",
    "Texas": "Arlington, Plano, Laredo, Lubbock, Irving, Garland, Frisco, McKinney, Amarillo, "
             "Grand Prairie, Brownsville, Killeen, Denton, Waco, Midland, Round Rock",
    "Colorado": "Aurora, Colorado Springs, Fort Collins, Lakewood, Pueblo, Greeley",
    "Arizona": "Mesa, Chandler, Scottsdale, Glendale (AZ), Gilbert, Flagstaff, Yuma",
    "Florida": "St. Petersburg, Hialeah, Tallahassee, Fort Lauderdale, Cape Coral, Gainesville, "
               "Pensacola, Sarasota, West Palm Beach",
    "New York": "Syracuse, Albany, Yonkers, Ithaca, Schenectady",
    "Illinois": "Naperville, Springfield, Peoria, Rockford, Evanston, Urbana",
    "Ohio": "Toledo, Akron, Dayton, Youngstown",
    "Michigan": "Lansing, Flint, Kalamazoo, Dearborn",
    "North Carolina": "Greensboro, Winston-Salem, Fayetteville, Asheville, Wilmington",
    "Georgia": "Augusta, Athens, Macon, Columbus (GA)",
    "Virginia": "Virginia Beach, Arlington (VA), Alexandria, Roanoke, Charlottesville",
    "Pennsylvania": "Allentown, Erie, Reading, Scranton, Lancaster (PA), Harrisburg",
    "Massachusetts": "Springfield (MA), Lowell, Somerville, Amherst",
    "Minnesota": "Duluth, Rochester (MN), Bloomington",
    "Wisconsin": "Green Bay, Kenosha, Eau Claire",
    "Missouri": "Springfield (MO), Columbia",
    "Tennessee": "Knoxville, Clarksville, Murfreesboro",
    "Indiana": "Fort Wayne, Evansville, South Bend, Bloomington (IN)",
    "Kentucky": "Lexington, Bowling Green",
    "Alabama": "Huntsville, Montgomery, Mobile, Tuscaloosa",
    "Louisiana": "Shreveport, Lafayette, Lake Charles",
    "Utah": "Provo, Ogden, St. George",
    "New Jersey": "Paterson, Elizabeth, Trenton, Camden, Hoboken, Princeton",
    "Maryland": "Annapolis, Frederick, Silver Spring",
    "South Carolina": "Columbia (SC), Greenville",
    "Nevada": "Henderson, Carson City",
    "New Mexico": "Las Cruces",
    "Iowa": "Cedar Rapids, Iowa City, Davenport",
    "Kansas": "Wichita, Topeka, Lawrence",
    "Nebraska": "Lincoln",
    "Oklahoma": "Norman",
    "Arkansas": "Fayetteville (AR)",
    "Idaho": "Idaho Falls, Pocatello",
    "Montana": "Missoula, Bozeman, Billings",
    "Wyoming": "Cheyenne, Laramie",
    "North Dakota": "Fargo, Bismarck",
    "South Dakota": "Sioux Falls, Rapid City",
    "Delaware": "Wilmington (DE)",
    "New Hampshire": "Manchester (NH), Nashua",
    "West Virginia": "Charleston (WV), Morgantown",
    "Ontario": "Hamilton, Kitchener, Waterloo, London (ON), Windsor, Mississauga",
    "Québec": "Gatineau, Sherbrooke, Laval",
    "British Columbia": "Victoria (BC), Surrey, Kelowna",
    "Saskatchewan": "Saskatoon, Regina",
    "England": "London, Birmingham (UK), Leeds, Sheffield, Liverpool, Newcastle, Nottingham, "
               "Leicester, Brighton, Oxford, Cambridge (UK), York",
    "Scotland": "Edinburgh, Aberdeen, Dundee",
    "Île-de-France": "Saint-Denis, Versailles",
    "Provence-Alpes-Côte d'Azur": "Marseille, Nice, Aix-en-Provence",
    "Occitanie": "Toulouse, Montpellier",
    "Nouvelle-Aquitaine": "Bordeaux",
    "Hauts-de-France": "Lille",
    "Bayern": "Nürnberg, Augsburg",
    "Baden-Württemberg": "Stuttgart, Freiburg, Heidelberg, Karlsruhe",
    "Hamburg": "Hamburg",
    "Sachsen": "Leipzig, Dresden",
    "Hessen": "Frankfurt, Darmstadt",
    "Lombardia": "Milano, Bergamo",
    "Lazio": "Roma",
    "Emilia-Romagna": "Bologna",
    "Toscana": "Firenze",
    "Andalucía": "Sevilla, Granada",
    "Comunitat Valenciana": "València, Alicante",
    "País Vasco": "Bilbao, Donostia",
    "Noord-Brabant": "Eindhoven",
    "Utrecht": "Utrecht",
    "Antwerpen": "Antwerpen",
    "Brussels": "Bruxelles",
    "Uusimaa": "Helsinki, Espoo",
    "Oslo": "Oslo",
    "Stockholm": "Stockholm",
    "Hovedstaden": "København",
    "Lisboa": "Sintra",
    "Estado de México": "Toluca",
    "Jalisco": "Zapopan",
    "Antioquia": "Envigado",
    "Rio de Janeiro": "Rio de Janeiro, Niterói",
    "Minas Gerais": "Belo Horizonte",
    "Rio Grande do Sul": "Porto Alegre",
    "Gauteng": "Johannesburg, Pretoria",
    "Lagos": "Lagos",
    "Maharashtra": "Mumbai",
    "Tamil Nadu": "Chennai",
    "Telangana": "Hyderabad",
    "New South Wales": "Sydney, Newcastle (NSW)",
    "Queensland": "Brisbane",
    "Western Australia": "Perth",
    "Wellington": "Wellington",
    "Tokyo": "Tokyo",
    "Osaka": "Osaka",
}.items() for city in cities.split(",")]

SECTORS = [
    "Clean Energy", "Water Conservation", "Sustainable Agriculture", "Battery Storage",
    "Urban Tech", "Transportation", "Micromobility", "Public Safety", "Emergency Response",
    "Housing", "Homelessness Services", "Health", "Public Health", "Education", "Workforce",
    "Open Data", "Civic Engagement", "Digital Services", "Procurement", "Permitting",
    "Waste Reduction", "Recycling", "Air Quality", "Climate Adaptation", "Flood Resilience",
    "Parks & Recreation", "Food Access", "Financial Inclusion", "Small Business", "Broadband",
    "Smart Infrastructure", "Street Maintenance", "Building Efficiency", "Electric Vehicles",
    "Accessibility", "Justice Reform", "Elections", "Libraries", "Arts & Culture", "Tourism",
    "Senior Services", "Child Care", "Mental Health", "Noise Reduction", "Urban Forestry",
    "Stormwater", "Code Enforcement", "Language Access",
]

CIVIC_WORDS = (
    "city community residents neighborhood public service government council mayor office "
    "pilot program startup founders team platform app data sensors map dashboard permits "
    "permit solar energy grid water housing transit bus bike street streets traffic safety "
    "health clinic school students library parks waste recycling compost air climate flood "
    "heat resilience equity access affordable local regional county agency staff procurement "
    "contract vendors budget funding grant investors mentors mentoring accelerator incubator "
    "cohort fellowship challenge residency innovation technology software open civic digital "
    "small business jobs workforce training broadband infrastructure utilities electric "
    "vehicles charging batteries storage emissions conservation farmers food markets "
    "volunteers nonprofit partners partnership department services outreach families "
    "tenants landlords inspections potholes sidewalks lighting noise"
).split()

FIRST_NAMES = (
    "Aaliyah Abel Ada Adrián Aiko Alana Alejandro Amara Amir Ana Andrés Anika Arjun Asha Ayesha "
    "Beatriz Benjamin Bianca Bongani Camila Carlos Carmen Chen Chiara Chloé Dana Daniel Dario "
    "David Deepa Dolores Elena Elif Emeka Emma Esther Fatima Felipe Fernando Fiona Gabriel "
    "Grace Hana Hannah Hiro Ibrahim Imani Inés Isaac Jamal Javier Jay Jeremy Jiho Joaquín "
    "Jonas Jorge Julia Kai Kamala Karim Kenji Kofi Lars Laura Layla Leila Lucas Lucía Luis "
    "Mai Malik María Marta Mateo Maya Mei Miguel Mina Nadia Naomi Nasser Nia Nikhil Noah "
    "Noor Olga Omar Oscar Pablo Paola Priya Rafael Ravi Renée Rosa Ruth Salma Samuel Sara "
    "Sean Sergio Simone Sofia Soren Tariq Teresa Tomás Uma Valentina Victor Wei Yara Yusuf "
    "Zainab Zoë"
).split()

LAST_NAMES = (
    "Abara Adeyemi Albright Alvarez Aram Arian Bello Benítez Bergström Bianchi Brennan Castillo "
    "Chandra Chen Cohen Costa Cruz Dahl Das Delgado Diallo Dubois Duarte Eriksen Espinoza "
    "Fernández Fischer Flores Fujita García Goldberg Gómez González Greene Gupta Haddad Hansen "
    "Hernández Hoang Holt Huang Ibarra Ivanova Jansen Jiménez Johansson Kaur Kelly Khan Kim "
    "Kowalski Kumar Larsen Lee Lindqvist López Mahmoud Martín Mendoza Meyer Molina Moreau "
    "Morales Müller Murphy Nakamura Nath Navarro Ndlovu Nguyen Novak Núñez O'Brien O'Donnell "
    "Okafor Okonkwo Olsen Ortiz Osei Park Pascual Patel Pereira Pérez Petrov Quispe Ramírez "
    "Raman Reyes Rivera Rodríguez Romero Rossi Ruiz Saito Sánchez Santos Schmidt Shah Silva "
    "Singh Sokolov Suárez Tanaka Torres Tran Uchenna Valdez Vargas Vásquez Vogel Wagner Wang "
    "Watanabe Weber Williams Wong Yamamoto Yilmaz Yoon Zhang Zhou Zimmermann"
).split()

BRAND_ENDINGS = (
    "Works Signal Loop Systems Grid Path Bridge Point Field Commons Studio Collective Network "
    "Analytics Cloud Logic Sense Link Hub Map Data Flow Route Base Stack Civic Wave Shift "
    "Robotics Health Energy Water Mobility Hive Forge Square Yard Lane Kit"
).split()

PROGRAM_NOUNS = {"incubator": "Incubator", "accelerator": "Accelerator",
                 "residency": "Residency", "challenge": "Challenge", "fellowship": "Fellowship",
                 "other": "Initiative"}
OPERATORS = ["Mayor's Office of Innovation", "Department of Public Works", "City Council",
             "County Board of Supervisors", "Economic Development Office", "Port Authority",
             "Public Library", "Regional Transit Agency", "Municipal Utility",
             "Chamber of Commerce", "Community Foundation", "State University",
             "Housing Authority", "Office of Sustainability", "Department of Technology"]
ROLES = ["Chief Innovation Officer", "Chief Data Officer", "Director of Digital Services",
         "Venture Partner", "Founder and CEO", "Program Manager", "Procurement Lead",
         "Professor of Urban Planning", "Sustainability Director", "Product Designer",
         "Head of Partnerships", "Chief Technology Officer", "Policy Advisor"]


VOCABULARY_FILE = Path(__file__).with_name("vocabulary.txt")


@lru_cache(maxsize=1)
def english_vocabulary() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words and counts of harvest_vocabulary(), as shipped in vocabulary.txt ("word
    count" per line, commonest first): the same on every Python, and read in milliseconds
    rather than parsed from the whole standard library each time."""
    pairs = [line.split() for line in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines()]
    return tuple(word for word, _ in pairs), tuple(int(count) for _, count in pairs)


def harvest_vocabulary() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Lower-case English words (3–14 letters) with their counts in the prose that ships with
    Python: docstrings of the standard library and pydoc's language reference. A word must occur
    at least 3 times, which drops most identifiers quoted in the prose. (Regenerate
    vocabulary.txt with it: python -c "from directory.bench.synthetic import *;
    write_vocabulary()" from plugins/.)"""
    from pydoc_data.topics import topics

    texts = [topics[key] for key in sorted(topics)]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idle_test", "site-packages", "lib2to3", "__pycache__"}
    for path in sorted(stdlib.rglob("*.py")):
        if skip & set(path.relative_to(stdlib).parts):
            continue
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                texts.append(ast.get_docstring(node) or "")
    # A word in prose: not glued to code punctuation (foo.bar, foo_bar, `foo`, foo(), x=...).
    word = re.compile(r"(?<![\w.`'_-])([A-Za-z][a-z]{2,13})(?![\w`'_(=-]|\.\w)")
    counts = Counter(match.lower() for text in texts for match in word.findall(text))
    common = sorted((w for w, n in counts.items() if n >= 3), key=lambda w: (-counts[w], w))
    return tuple(common), tuple(counts[w] for w in common)


VOCABULARY = 4000  # the commonest words of english_vocabulary() that the text is drawn from
ZIPF_EXPONENT = 1.0  # a word's weight is 1 / rank ** ZIPF_EXPONENT, as in natural text


def zipf_weights(count: int, exponent: float = ZIPF_EXPONENT) -> list[float]:
    return [rank ** -exponent for rank in range(1, count + 1)]


def write_vocabulary() -> None:
    words, counts = harvest_vocabulary()
    VOCABULARY_FILE.write_text("".join(f"{w} {n}\n" for w, n in zip(words, counts)),
                               encoding="utf-8")


class Writer:
    """Sentences of real words, drawn with Zipf weights by their rank in real prose (the
    commonest first), plus civic words."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = english_vocabulary()[0][:VOCABULARY]
        self.cumulative = list(_accumulate(zipf_weights(len(self.words))))
        self.civic_cumulative = list(_accumulate(rank ** -0.5 for rank in range(1, len(CIVIC_WORDS) + 1)))

    def word(self) -> str:
        if self.rng.random() < 0.15:
            return self.rng.choices(CIVIC_WORDS, cum_weights=self.civic_cumulative)[0]
        return self.rng.choices(self.words, cum_weights=self.cumulative)[0]

    def sentence(self, low: int = 8, high: int = 20, limit: int = 280) -> str:
        chosen = [self.word() for _ in range(self.rng.randint(low, high))]
        text = " ".join(chosen)
        while len(text) + 1 > limit and len(chosen) > 1:
            chosen.pop()
            text = " ".join(chosen)
        return text[0].upper() + text[1:] + "."

    def summary(self, subject: str) -> str:
        opening = self.sentence(6, 16, limit=270 - len(subject))
        first = f"{subject} {opening[0].lower()}{opening[1:]}"
        first = first if len(first) <= 280 else self.sentence(6, 16)
        if self.rng.random() < 0.5:
            second = self.sentence(5, 14, limit=279 - len(first))
            if len(second) > 10 and len(first) + 1 + len(second) <= 280:
                first += " " + second
        return first[:280]  # the schema's limit

    def description(self) -> str:
        paragraphs = []
        for _ in range(self.rng.randint(1, 3)):
            sentences = [self.sentence() for _ in range(self.rng.randint(1, 3))]
            if self.rng.random() < 0.3:
                sentences[0] = _bold_one(sentences[0], self.rng)
            paragraphs.append(" ".join(sentences))
        if self.rng.random() < 0.2:
            items = [self.sentence(2, 5).rstrip(".").lower() for _ in range(3)]
            paragraphs.append(f"### {self.sentence(2, 4).rstrip('.')}\n\n"
                              + "\n".join(f"- {item}" for item in items))
        return "\n\n".join(paragraphs) + "\n"


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _bold_one(sentence: str, rng: random.Random) -> str:
    parts = sentence.split(" ")
    index = rng.randrange(len(parts) - 1)
    parts[index] = f"**{parts[index]}**"
    return " ".join(parts)


class _Dumper(yaml.SafeDumper):
    """Multi-line text (the Markdown descriptions) as a literal block, as people write it."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


@dataclass
class Synthetic:
    content: Path
    counts: dict[str, int]
    common_words: list[str]  # words by how many profiles use them, most first


# A share of the startups have a one-word product name ("Gridforge", "Permitworks"), as
# software does: long single words, the kind whose typos the search must forgive.
ONE_WORD_NAMES = 0.3


def generate(content: Path, size: int, seed: int = 1, progress=None) -> Synthetic:
    """Write ``size`` profiles under ``content`` (startups/, programs/, mentors/), the same
    ones for the same ``size`` and ``seed``. ``progress(done, total)`` is called as files are
    written."""
    rng = random.Random(f"{seed}:{size}")
    writer = Writer(rng)
    programs_n = max(1, round(size * SHARES["program"]))
    mentors_n = round(size * SHARES["mentor"])
    startups_n = size - programs_n - mentors_n
    names: set[str] = set()
    used_slugs: set[str] = set()

    def claim(make) -> tuple[str, str]:
        while True:
            name = make()
            identity, slug = identity_name(name), slugify(name)
            if identity not in names and slug not in used_slugs:
                names.add(identity)
                used_slugs.add(slug)
                return name, slug

    vocabulary = [w for w in english_vocabulary()[0][:4000] if 4 <= len(w) <= 9]
    profiles: dict[str, list[tuple[str, dict]]] = {"program": [], "startup": [], "mentor": []}

    places = CITIES + MORE_CITIES  # the well-known first: they get the most profiles
    place_weights = list(_accumulate(zipf_weights(len(places), 0.8)))

    def place() -> dict:
        city, region = rng.choices(places, cum_weights=place_weights)[0]
        return {"city": city, "region": region}

    def sectors() -> list[str]:
        return rng.sample(SECTORS, rng.randint(1, 3))

    for _ in range(programs_n):
        fmt = rng.choice(list(PROGRAM_NOUNS))
        where = place()
        name, slug = claim(lambda: f"{where['city']} {rng.choice(vocabulary).title()} "
                                   f"{PROGRAM_NOUNS[fmt]}")
        profiles["program"].append((slug, {
            "name": name, "summary": writer.summary(name), "description": writer.description(),
            "website": f"https://{slug}.programs.example.org/", **where, "sectors": sectors(),
            "launched": rng.randint(1995, 2024), "operator": rng.choice(OPERATORS), "format": fmt,
            "duration_weeks": rng.choice([8, 10, 12, 16, 24, 26, 52]),
        }))
    program_slugs = [slug for slug, _ in profiles["program"]]
    for _ in range(startups_n):
        name, slug = claim(lambda: (f"{rng.choice(vocabulary).title()}"
                                    f"{rng.choice(BRAND_ENDINGS).lower()}")
                           if rng.random() < ONE_WORD_NAMES else
                           f"{rng.choice(vocabulary).title()} {rng.choice(BRAND_ENDINGS)}")
        data = {"name": name, "summary": writer.summary(name), "description": writer.description(),
                "website": f"https://www.{slug}.example.com/", **place(), "sectors": sectors(),
                "founded": rng.randint(2000, 2025)}
        if rng.random() < 0.7:
            data["programs"] = rng.sample(program_slugs, min(len(program_slugs), rng.randint(1, 2)))
        profiles["startup"].append((slug, data))
    startup_slugs = [slug for slug, _ in profiles["startup"]]
    for _ in range(mentors_n):
        name, slug = claim(lambda: f"{rng.choice(FIRST_NAMES)} "
                                   f"{rng.choice(['', rng.choice('ABCDEFGHJKLMNPRSTVW') + '. '])}"
                                   f"{rng.choice(LAST_NAMES)}")
        data = {"name": name, "summary": writer.summary(name), "description": writer.description(),
                "role": rng.choice(ROLES), **place(), "sectors": sectors()}
        if rng.random() < 0.6:
            data["website"] = f"https://people.example.net/{slug}"
        if rng.random() < 0.6:
            data["programs"] = rng.sample(program_slugs, min(len(program_slugs), rng.randint(1, 2)))
        if startup_slugs and rng.random() < 0.5:
            data["startups"] = rng.sample(startup_slugs, min(len(startup_slugs), rng.randint(1, 3)))
        profiles["mentor"].append((slug, data))

    document_frequency: Counter = Counter()
    done = 0
    for kind, items in profiles.items():
        folder = content / f"{kind}s"
        folder.mkdir(parents=True, exist_ok=True)
        for slug, data in items:
            (folder / f"{slug}.yaml").write_text(
                yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100),
                encoding="utf-8")
            text = " ".join((data["name"], data["summary"], data["description"]))
            document_frequency.update({w for w in words(text) if keep(w) and len(w) >= 4})
            done += 1
            if progress is not None:
                progress(done, size)
    ranked = sorted(document_frequency, key=lambda w: (-document_frequency[w], w))
    return Synthetic(content, {kind: len(items) for kind, items in profiles.items()}, ranked)


def synth(out: Path, count: int, seed: int = 1, progress=None) -> Synthetic:
    """`invoke synth`: a directory of ``count`` profiles in ``out`` (which must not exist or be
    empty, so that no stale profile is mixed in)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: give a new folder")
    if progress is not None:
        progress.stage(f"synth: writing {count} profiles to {out}")
    synthetic = generate(out, count, seed, progress=progress.update if progress else None)
    if progress is not None:
        progress.close()
    return synthetic
