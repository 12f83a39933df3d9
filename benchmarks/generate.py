"""Deterministic generator of synthetic research dossiers for the factcheck benchmark.

`generate(root, n, seed)` writes `n` dossier sets under `root`, one folder each: a main
dossier of about 250 lines (sections, a model table, a funding table, bold key-value
bullets, prose, nested lists, links, money, dates and percentages) about an invented
company, a `-strategy` companion in two folders out of three, and an `index.md` page in
one folder out of five. Each main dossier carries a random subset of planted
contradictions in the style of `fixtures/dossiers/` (open weights ❌ in the table but
"open-source" in the prose, a round with two amounts, "not a unicorn as of late 2024"
next to a $2B valuation in June 2024, scenario probabilities summing to 95%, ...), and
the consistent variant of every other one. What was planted is written to
`root/manifest.json`, with the rule code each plant should trigger.

Dossier `i` depends only on `(seed, i)`, so the first 100 dossiers of a 1,000-dossier
run are the 100 dossiers of a 100-dossier run.

    python benchmarks/generate.py OUT_DIR N [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Planted contradiction kinds, each with the rule that should report it.
PLANTS: dict[str, str] = {
    "open-weights": "FC101",
    "model-fact": "FC102",
    "funding-round": "FC201",
    "round-exceeds-valuation": "FC202",
    "funding-total": "FC203",
    "unicorn-status": "FC205",
    "retraction": "FC301",
    "maturity": "FC401",
    "probabilities": "FC501",
    "arithmetic": "FC502",
    "count": "FC503",
    "person": "FC601",
    "broken-link": "FC701",
}

_PREFIXES = (
    "Aurora", "Boreas", "Cinder", "Delphi", "Ember", "Fathom", "Glacier", "Halcyon", "Ionic",
    "Juniper", "Kestrel", "Lattice", "Meridian", "Nimbus", "Obsidian", "Polaris", "Quill",
    "Rune", "Solace", "Tessel", "Umbra", "Vanta", "Wren", "Xylo", "Yarrow", "Zephyr",
    "Argent", "Basalt", "Cobalt", "Drift", "Equinox", "Fjord", "Gossamer", "Harbor",
)
_SUFFIXES = ("AI", "Labs", "Robotics", "Intelligence", "Systems", "Dynamics", "Machines")
_CJK = ("星河智能", "云帆科技", "深度方舟", "光年智元", "青松智算", "远山模型", "赤霄科技",
        "海岳智能", "玄鸟科技", "明川智造")
_CITIES = (
    ("Munich", "Germany"), ("Toronto", "Canada"), ("Shanghai", "China"), ("Paris", "France"),
    ("Zurich", "Switzerland"), ("Boston", "the United States"), ("London", "the United Kingdom"),
    ("Beijing", "China"), ("Stockholm", "Sweden"), ("Tel Aviv", "Israel"), ("Seoul", "Korea"),
)
_FIRST = ("Elin", "Pau", "Naomi", "Amara", "Jiang", "Lucas", "Sophie", "Ingrid", "Matthias",
          "Wei", "Mei", "Tomas", "Aisha", "Kenji", "Lea", "Omar", "Priya", "Rafael", "Yuki")
_LAST = ("Varga", "Ferrer", "Achterberg", "Osei", "Daxin", "Tremblay", "Laurent", "Solberg",
         "Krenn", "Zhang", "Lindqvist", "Haddad", "Tanaka", "Moreau", "Okafor", "Petrov",
         "Castillo", "Nakamura", "Brandt")
_MODEL_FAMILIES = ("Boreal", "Lumen", "Orca", "Pike", "Vireo", "Nova", "Atlas", "Sable",
                   "Tundra", "Cirrus", "Kite", "Marlin", "Onyx", "Quasar")
_INVESTORS = ("Nordlicht Ventures", "Alpenrose Partners", "Hollis Capital", "Kestrel Growth",
              "Northpoint Capital", "Granite Peak Growth", "Maple Leaf Ventures",
              "Sequoia-style Partners", "Blue Harbour Capital", "Tidewater Fund",
              "Redwood Crossing", "Lakeshore Equity")
_THINGS = ("warehouses", "hospitals", "factories", "data centres", "retail chains",
           "logistics hubs", "clinics", "bank branches")
_COUNTRIES = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_CATEGORIES = ("robotics company", "foundation-model lab", "AI infrastructure vendor",
               "enterprise AI company", "speech AI company")
_METRICS = ("installed base", "revenue", "API volume")
_PRODUCTS = ("Tern", "Fleet", "Harbor", "Studio", "Pilot", "Relay", "Beacon", "Forge")
_CODENAMES = ("Arctos", "Talon", "Strider", "Heron", "Gantry", "Mako", "Osprey", "Falcon")
_FILLER = (
    "The company keeps a small research team close to the product group, which shortens "
    "the path from a paper to a shipped feature.",
    "Management argues that owning both the models and the deployment surface is the only "
    "durable moat in a market where model quality converges quickly.",
    "Customers interviewed for this note praised the support team but complained about "
    "pricing changes announced with little notice.",
    "Hiring has slowed since the last round, and most new roles are in sales engineering "
    "rather than research.",
    "The board includes two independent directors with public-company experience, which "
    "is unusual for a company of this size.",
    "Compute is rented rather than owned; the company has reserved capacity with two cloud "
    "providers and negotiates prices annually.",
    "Gross margins on the software line are high, but the hardware line still dilutes the "
    "blended figure.",
    "A second office opened last year to be closer to the largest customers, and it now "
    "hosts most of the solutions team.",
    "The product roadmap published in the autumn promised three major releases, of which "
    "two have shipped on time.",
    "Several former employees have founded start-ups of their own, a sign of the talent "
    "density the company has built.",
)
_FEATURES = ("Foundation text model", "Long-context variant", "Multimodal vision-language",
             "Code-specialised", "Speech synthesis & understanding", "Compact on-device model",
             "World model for simulation", "Grasp planning policy")


@dataclass
class Model:
    """One row of the model table."""

    name: str
    month: int
    year: int
    params: int  # billions
    open_weights: bool
    context_k: int
    feature: str


@dataclass
class Round:
    """One row of the funding table (amounts and valuations in millions)."""

    name: str
    month: int
    year: int
    amount: int
    post_money: int
    lead: str


@dataclass
class Person:
    """One row of the people table."""

    name: str
    role: str
    short: str
    since: int


@dataclass
class Company:
    """Everything one dossier set says about its invented company."""

    index: int
    name: str
    slug: str
    cjk: str | None
    city: str
    country: str
    founded_month: int
    founded_year: int
    ceo: str
    models: list[Model]
    rounds: list[Round]
    people: list[Person]
    product: str
    thing: str
    count: int
    currency: str
    plants: list[str] = field(default_factory=list)


def _money(millions: float, cur: str, style: int = 0) -> str:
    """Format an amount in millions: `$120M`, `$1.2B`, or `USD 120 million`."""
    word = "USD" if cur == "$" else "EUR"
    if millions >= 1000:
        value = f"{millions / 1000:.1f}".rstrip("0").rstrip(".")
        return f"{word} {value} billion" if style == 2 else f"{cur}{value}B"
    value = f"{millions:g}"
    return f"{word} {value} million" if style == 2 else f"{cur}{value}M"


def _month(month: int, year: int, long: bool = False) -> str:
    name = _MONTHS[month - 1]
    return f"{name if long else name[:3]} {year}"


def _company(seed: int, index: int) -> Company:
    rng = random.Random(f"factcheck-bench:{seed}:{index}")
    prefix = _PREFIXES[index % len(_PREFIXES)]
    suffix = _SUFFIXES[(index // len(_PREFIXES)) % len(_SUFFIXES)]
    name = f"{prefix} {suffix}"
    generation = index // (len(_PREFIXES) * len(_SUFFIXES))
    if generation:
        name = f"{name} {generation + 1}"
    slug = name.lower().replace(" ", "-")
    city, country = rng.choice(_CITIES)
    founded_year = rng.randint(2016, 2021)
    family = rng.choice(_MODEL_FAMILIES)
    models: list[Model] = []
    year, month = founded_year + 2, rng.randint(1, 12)
    for generation_no in range(1, rng.randint(3, 4) + 1):
        base = rng.choice((3, 7, 13, 34, 70, 130))
        for variant in ("", "-Mini", "-Long")[: rng.randint(1, 3)]:
            params = base if variant != "-Mini" else max(1, base // 5)
            context = rng.choice((4, 8, 16, 32)) * (4 if variant == "-Long" else 1)
            models.append(Model(f"{family}-{generation_no}{variant}", month, year, params,
                                rng.random() < 0.5, context, rng.choice(_FEATURES)))
            month += rng.randint(1, 4)
            if month > 12:
                month, year = month - 12, year + 1
        if year >= 2025:
            break
    currency = "€" if city in ("Munich", "Paris", "Zurich", "Stockholm") else "$"
    rounds: list[Round] = []
    amount = rng.choice((4, 6, 8, 10, 12))
    valuation = amount * rng.randint(4, 6)
    r_year, r_month = founded_year, rng.randint(1, 12)
    for label in ("Seed", "Series A", "Series B", "Series C"):
        rounds.append(Round(label, r_month, r_year, amount, valuation, rng.choice(_INVESTORS)))
        amount = amount * rng.randint(3, 6)
        valuation = max(valuation * rng.randint(3, 5), amount * 5)
        r_year, r_month = r_year + rng.randint(1, 2), rng.randint(1, 12)
        if r_year > 2024:
            break
    people = []
    used: set[str] = set()
    for role, short in (("Co-founder and chief executive", "CEO"),
                        ("Chief technology officer", "CTO"),
                        ("Chief operating officer", "COO"),
                        ("Chief financial officer", "CFO")):
        person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        while person in used:
            person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        used.add(person)
        since = founded_year if short == "CEO" else rng.randint(founded_year + 1, 2024)
        people.append(Person(person, role, short, since))
    company = Company(
        index=index, name=name, slug=slug, cjk=rng.choice(_CJK) if rng.random() < 0.3 else None,
        city=city, country=country, founded_month=rng.randint(1, 12), founded_year=founded_year,
        ceo=people[0].name, models=models, rounds=rounds, people=people,
        product=rng.choice(_PRODUCTS), thing=rng.choice(_THINGS), count=rng.randint(13, 40),
        currency=currency,
    )
    company.plants = [kind for kind in PLANTS if rng.random() < 0.45] or [rng.choice(list(PLANTS))]
    if "unicorn-status" in company.plants and max(r.post_money for r in rounds) < 1000:
        # "Not a unicorn as of late 2024" against a $2B valuation in June 2024.
        last = rounds[-1]
        last.month, last.year, last.post_money = 6, 2024, 2000
        last.amount = min(last.amount, 400)
        for earlier in rounds[:-1]:
            if (earlier.year, earlier.month) >= (2024, 6):
                earlier.year = 2023
    if "round-exceeds-valuation" in company.plants:
        # A dropped zero: the round raised more than its stated post-money valuation. Not the
        # latest round, whose valuation the summary and the companion repeat.
        exceeded = rounds[1] if len(rounds) > 2 else rounds[0]
        exceeded.post_money = max(1, exceeded.amount * 8 // 10)
    return company


class _Writer:
    """Accumulate Markdown lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def para(self, text: str) -> None:
        self.lines.extend((text, ""))

    def heading(self, level: int, text: str) -> None:
        self.lines.extend(("#" * level + " " + text, ""))

    def rule(self) -> None:
        self.lines.extend(("---", ""))

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


def _main_dossier(c: Company, rng: random.Random, companion: bool) -> str:
    cur = c.currency
    p = set(c.plants)
    w = _Writer()
    title = f"{c.name} ({c.cjk})" if c.cjk else c.name
    w.heading(1, f"{title} - Deep Dive" if rng.random() < 0.5 else f"{title}: company dossier")
    links = []
    if companion:
        links.append(f"Strategy and exit routes are discussed in the companion note, "
                     f"[{c.name}: strategy and competitive position]({c.slug}-strategy.md).")
    if "broken-link" in p:
        links.append(f"Detailed cash-flow workings sit in [the financials annex]"
                     f"({c.slug}-financials.md).")
    w.para(f"**{c.name}** is a {c.city}-based company that trains its own foundation models and "
           f"sells them bundled with the {c.product} product line. This dossier covers history, "
           f"models, products, funding, people and outlook. " + " ".join(links))
    w.para(f"Last reviewed: {rng.randint(1, 28)} March 2025")
    latest = c.rounds[-1]
    total = sum(r.amount for r in c.rounds)
    stated_total = total + (max(rng.choice((40, 60, 87)), total // 5 // 100 * 100)
                            if "funding-total" in p else 0)

    w.heading(2, "At a glance")
    w.add(f"- **Legal name**: {c.name} Ltd.",
          f"- **Founded**: {_month(c.founded_month, c.founded_year, True)}",
          f"- **Headquarters**: {c.city}, {c.country}",
          f"- **Chief executive**: {c.ceo}, co-founder",
          f"- **Employees**: {rng.randint(40, 900)} (January 2025)",
          f"- **Products**: {c.product} platform, {c.product} Cloud, model licensing",
          f"- **Foundation models**: {', '.join(m.name for m in c.models[:4])}",
          f"- **Total equity raised**: {_money(stated_total, cur)} across "
          f"{len(c.rounds)} priced rounds",
          f"- **Latest valuation**: {_money(latest.post_money, cur)} post-money "
          f"({latest.name}, {_month(latest.month, latest.year, True)})",
          f"- **Founders and employees**: roughly {rng.randint(20, 45)}% fully diluted", "")
    w.rule()

    w.heading(2, "Company Overview")
    w.para(f"{c.name} was founded by researchers who had spent most of the 2010s on machine "
           f"learning at universities in {c.country}. Their starting bet was that general-purpose "
           f"foundation models would commoditise the perception stack, and that the value "
           f"would sit with whoever owned both the models and the installed base running them. "
           f"{c.product} systems now run in {c.count} {c.thing} across "
           f"{rng.choice(_COUNTRIES)} countries.")
    w.para(" ".join(rng.sample(_FILLER, 3)))
    w.add(f"> \"We are trying to be the team that gets a general model into a boring "
          f"{c.thing[:-1]} and keeps it running for five years.\"",
          f"> — {c.ceo}, interview, {_month(rng.randint(1, 12), 2024, True)}", "")

    w.heading(2, "Founding Story and History")
    w.heading(3, "Key Timeline")
    w.add(f"- **{_month(c.founded_month, c.founded_year)}**: Founded by {c.ceo} and team")
    events = [(r.year, r.month, f"{r.name} of {_money(r.amount, cur)} led by {r.lead}")
              for r in c.rounds]
    events += [(m.year, m.month, f"{m.name} released") for m in c.models[::2]]
    for year, month, what in sorted(events):
        w.add(f"- **{_month(month, year)}**: {what}")
    w.add("")
    w.heading(3, "Founding Team")
    for person in c.people[:3]:
        w.add(f"- **{person.name}**: {person.role}",
              f"  - Previously at a {rng.choice(('university lab', 'hyperscaler', 'bank'))}",
              f"  - Joined in {person.since}")
    w.add("")
    w.rule()

    w.heading(2, "Model Lineage and Release Timeline")
    w.add("| Release Date | Model | Parameters | Key Features | Open Weights | Context |",
          "|---|---|---|---|---|---|")
    for m in c.models:
        mark = "✅" if m.open_weights else "❌"
        w.add(f"| {_month(m.month, m.year)} | {m.name} | {m.params}B | {m.feature} | {mark} "
              f"| {m.context_k}K |")
    w.add("")
    w.para("Notes on the table:")
    closed = [m for m in c.models if not m.open_weights]
    for i, m in enumerate(c.models):
        if m.open_weights:
            w.add(f"- **{m.name}** weights are open on Hugging Face under Apache 2.0.")
        elif "open-weights" in p and closed and m is closed[0]:
            w.add(f"- **{m.name}** was released as open-source on Hugging Face in "
                  f"{_month(m.month, m.year, True)} and is now a common baseline.")
        else:
            w.add(f"- **{m.name}** is proprietary; the weights are not distributed and access is "
                  f"through the API only.")
        if i == 0:
            stated = m.params + (6 if "model-fact" in p else 0)
            w.add(f"  - The {stated}-billion-parameter {m.name} is what runs in every "
                  f"{c.product} system in the field today.")
        elif rng.random() < 0.4:
            w.add(f"  - {m.name} ships with a {m.context_k}K context window.")
        if m is c.models[-1] and "maturity" in p:
            w.add(f"  - {m.name} is still an experimental release, offered to a small group "
                  f"of testers.")
    w.add("")
    w.rule()

    w.heading(2, "Products")
    experimental = _CODENAMES[c.index % len(_CODENAMES)]
    w.add(f"- **{c.product} platform**",
          f"  - Sold at an average price of {cur}{rng.randint(40, 120)}k per unit; also "
          f"available on a five-year lease",
          f"  - Throughput: {rng.randint(400, 800)} tasks per hour",
          f"- **{c.product} Cloud**",
          f"  - Beta from {_month(rng.randint(1, 12), 2023, True)}; generally available since "
          f"{_month(rng.randint(1, 12), 2024, True)}",
          f"  - Priced at {cur}{rng.choice((900, 1200, 1500))} per seat per month",
          f"- **{experimental} humanoid**",
          "  - Still an experimental research platform: two prototypes, no customer units, "
          "no price list",
          "- **Model licensing**",
          f"  - {c.models[-1].name} via API or on-premises appliance", "")

    w.heading(2, "Deployments and Customers")
    count = c.count + (rng.choice((-2, 3)) if "count" in p else 0)
    word = _NUMBER_WORDS.get(count, str(count))
    units = c.count * rng.randint(8, 14)
    w.para(f"As of February 2025 {c.name} had {units} {c.product} units installed at {word} "
           f"{c.thing} run by {rng.randint(3, 9)} customers. "
           + " ".join(rng.sample(_FILLER, 2)))
    tail = (f"and the sales deck positions {c.models[-1].name}, which it calls production-ready, "
            f"as an option for the same customers." if "maturity" in p else
            "and a pilot is planned for late 2025.")
    w.para(f"Automotive is the next target. Two carmakers are evaluating {c.product}, {tail}")

    w.heading(2, "Performance and Reception")
    w.heading(3, "Benchmark Performance")
    top = c.models[-1].name
    w.add(f"- **{top}**: ranks #{rng.randint(2, 9)} on the ArenaBoard leaderboard "
          f"(February 2025)",
          f"- **{c.models[0].name}**: approaches frontier level on several dimensions:",
          "  - Mathematics: Strong performance",
          "  - Logic: Competitive",
          "  - Programming: Competitive",
          f"- **Instruction following**: {rng.randint(70, 92)}.{rng.randint(10, 99)} score", "")
    category, metric = rng.choice(_CATEGORIES), rng.choice(_METRICS)
    w.para(f"Several 2024 trade-press pieces ranked {c.name} among the leaders in its "
           f"market. {c.name} was previously claimed to be the #1 {category} by {metric}, "
           f"but this was based on incorrect data. On a like-for-like basis {c.name} sits "
           f"nearer #{rng.randint(3, 6)}.")
    w.rule()

    w.heading(2, "Funding and Investment")
    w.add("| Round | Date | Amount | Post-money valuation | Lead investor |",
          "|---|---|---|---|---|")
    for r in c.rounds:
        w.add(f"| {r.name} | {_month(r.month, r.year)} | {_money(r.amount, cur, rng.randint(0, 2))}"
              f" | {_money(r.post_money, cur)} | {r.lead} |")
    w.add("")
    b = c.rounds[min(2, len(c.rounds) - 1)]
    said = b.amount + (b.amount // 4 + 5 if "funding-round" in p else 0)
    w.para(f"The {_money(said, cur)} {b.name}, led by {b.lead} in "
           f"{_month(b.month, b.year, True)}, was the inflection point. It valued the company "
           f"at {_money(b.post_money, cur)} and brought in two strategic investors.")
    if "unicorn-status" in p:
        status = "- **Status**: Not a unicorn as of late 2024"
    elif latest.post_money >= 1000:
        first = next(r for r in c.rounds if r.post_money >= 1000)
        status = (f"- **Status**: Became a unicorn with its {first.name} in "
                  f"{_month(first.month, first.year, True)}")
    else:
        status = f"- **Status**: Not yet a unicorn as of {_month(12, latest.year, True)}"
    w.heading(3, "Funding Information")
    w.add(f"- **Total raised**: {_money(stated_total, cur)}", status,
          f"- **Key investors**: {', '.join(sorted({r.lead for r in c.rounds}))}", "")
    w.para(" ".join(rng.sample(_FILLER, 2)))

    w.heading(2, "Finances and Runway")
    burn = rng.choice((2.5, 4, 5, 7.5, 8, 12))
    months = rng.randint(18, 40)
    cash = burn * months
    claimed = months + (rng.choice((6, -5, 9)) if "arithmetic" in p else 0)
    w.add(f"- **Revenue 2024 (estimate)**: {_money(rng.randint(5, 90), cur)}",
          f"- **Gross margin**: about {rng.randint(30, 45)}% on hardware, above "
          f"{rng.randint(70, 85)}% on software",
          f"- **Net burn**: {_money(burn, cur)} per month through 2024", "")
    w.para(f"Before the latest round closed, {c.name} held about {_money(cash, cur)} in cash and "
           f"equivalents. With net burn running at {_money(burn, cur)} a month, that is roughly "
           f"{claimed} months of runway.")

    w.heading(2, "People")
    w.add("| Name | Role | Since |", "|---|---|---|")
    for person in c.people:
        w.add(f"| {person.name} | {person.role} | {person.since} |")
    w.add("")
    coo = c.people[2]
    coo_since = coo.since + (2 if "person" in p else 0)
    w.para(f"{c.ceo} co-founded {c.name} in {c.founded_year} and has been chief executive from "
           f"the start. {coo.name} has been {coo.short} since {coo_since}, having previously run "
           f"operations at a large retailer.")
    w.rule()

    w.heading(2, "Competitive Positioning")
    w.heading(3, "Strengths")
    w.add("- ✅ Own foundation models plus an installed base that produces fresh training data",
          "- ✅ Clear technical philosophy and rapid iteration")
    if "retraction" in p:
        w.add(f"- ✅ #1 {category} by {metric}")
    w.add("- ✅ Recurring software revenue with software-like margins", "")
    w.heading(3, "Challenges")
    w.add("- ❌ Hardware margins thin and dependent on one contract manufacturer",
          "- ❌ Small sales team relative to the size of the opportunity",
          "- ❌ Funding disclosure limited (exact amounts not always public)", "")

    w.heading(2, "Notable Achievements")
    for i, text in enumerate(rng.sample(_FILLER, 5), 1):
        w.add(f"{i}. **Milestone {i}**: {text}")
    w.add("")

    w.heading(2, "Scenarios")
    w.para("Horizon: end of 2027. The probabilities are the coverage team's judgement.")
    base, up = rng.choice(((55, 25), (50, 30), (45, 35), (60, 25)))
    down = 100 - base - up - (5 if "probabilities" in p else 0)
    w.add("**Likely Outcomes (2025-2027):**",
          f"- {base}%: Independent growth, IPO window opens",
          f"- {up}%: **Acquired by a strategic buyer at ~{_money(latest.post_money, cur)}**",
          f"- {down}%: Consolidation failure, acquihire", "")
    if companion:
        w.para(f"**📖 For comprehensive strategic analysis, see: "
               f"[`{c.slug}-strategy.md`]({c.slug}-strategy.md)**")

    w.heading(2, "Market Reception")
    while len(w.lines) < 242:
        w.add(f"- {rng.choice(_FILLER)}")
        if rng.random() < 0.3:
            w.add(f"  - {rng.choice(_FILLER)}")
    w.add("")

    w.heading(2, "Sources")
    w.add("- Company statutory filings, 2020–2024",
          f"- Investor letters, June 2024 and {_month(latest.month, latest.year, True)}",
          "- ArenaBoard public leaderboard, accessed February 2025",
          f"- Model cards: <https://huggingface.co/{c.slug}>",
          f"- [Company website](https://{c.slug}.example.com/about)")
    return w.text()


def _strategy(c: Company, rng: random.Random) -> str:
    cur = c.currency
    latest = c.rounds[-1]
    w = _Writer()
    w.heading(1, f"{c.name}: strategy and competitive position")
    w.para(f"Companion to the main dossier, [{c.name}: company dossier]({c.slug}.md), which holds "
           f"the model table, funding history and people.")
    w.rule()
    w.heading(2, "Executive Summary")
    w.para(f"{c.name} represents a test case of whether owning models and deployments together "
           f"remains viable. " + " ".join(rng.sample(_FILLER, 2)))
    w.add("**Key Findings:**",
          f"- **Valuation**: {_money(latest.post_money, cur)} "
          f"({_month(latest.month, latest.year, True)})",
          f"- **Revenue Target**: {_money(rng.randint(20, 200), cur)} for 2025",
          f"- **Strategic Focus**: {c.product} deployments in {c.thing}",
          "- **Differentiation**: vertical integration of models and hardware", "")
    w.rule()
    w.heading(2, "Competitors")
    w.add("| Competitor | Base | Focus | Open weights | Overlap |", "|---|---|---|---|---|")
    for _ in range(4):
        other = f"{rng.choice(_PREFIXES)} {rng.choice(_SUFFIXES)}"
        w.add(f"| {other} | {rng.choice(_CITIES)[0]} | {rng.choice(_FEATURES)} "
              f"| {rng.choice(('Yes', 'No', 'Partial'))} | {rng.choice(('High', 'Low'))} |")
    w.add("")
    for _ in range(3):
        w.heading(3, f"vs {rng.choice(_PREFIXES)} {rng.choice(_SUFFIXES)}")
        w.add("**Their strengths:**")
        for text in rng.sample(_FILLER, 3):
            w.add(f"- {text}")
        w.add("", f"**{c.name} counter-positioning:**")
        for text in rng.sample(_FILLER, 3):
            w.add(f"- **{rng.choice(('Focus', 'Depth', 'Speed', 'Breadth'))}**: {text}")
        w.add("")
    w.heading(2, "Go-to-market")
    w.add(f"- Pilot — two to four {c.product} units for three months, priced at cost",
          "- Rollout: 10–40 units, sold or leased on five-year terms",
          f"- Software — {c.product} Cloud, which customers accept once the pilot shows "
          f"uptime above {rng.randint(95, 99)}%", "")
    b = c.rounds[min(2, len(c.rounds) - 1)]
    w.para(f"The {b.name} ({_money(b.amount, cur)}, {_month(b.month, b.year, True)}) paid for "
           f"the sales team. " + " ".join(rng.sample(_FILLER, 2)))
    w.heading(2, "Exit routes")
    a = rng.choice((30, 35, 40))
    bb = rng.choice((40, 45))
    w.add(f"- Listing on a public exchange — {a}%",
          f"- Trade sale to an industrial group — {bb}%",
          f"- Remains private and independent — {100 - a - bb}%", "")
    return w.text()


def _index(c: Company, companion: bool) -> str:
    w = _Writer()
    w.heading(1, "Coverage index")
    w.para("Short summaries of the companies in this folder. Each summary links to the full "
           "dossier; where the two disagree, the dossier is the reference.")
    w.heading(2, c.name)
    w.para(f"{c.city}-based company founded in {c.founded_year} that trains its own models "
           f"(the {c.models[0].name.split('-')[0]} family) and sells the {c.product} product "
           f"line. Chief executive {c.ceo} co-founded the company.")
    extra = f", with a separate [strategy note]({c.slug}-strategy.md)" if companion else ""
    w.para(f"Full dossier: [{c.name}]({c.slug}.md){extra}.")
    return w.text()


def generate(root: Path, n: int, seed: int = 0) -> list[Path]:
    """Write `n` dossier sets under `root` and return the Markdown files written, sorted."""
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    manifest: list[dict[str, object]] = []
    for index in range(n):
        c = _company(seed, index)
        rng = random.Random(f"factcheck-bench-text:{seed}:{index}")
        companion = index % 3 != 2
        folder = root / f"{index:05d}-{c.slug}"
        folder.mkdir(exist_ok=True)
        files = {f"{c.slug}.md": _main_dossier(c, rng, companion)}
        if companion:
            files[f"{c.slug}-strategy.md"] = _strategy(c, rng)
        if index % 5 == 0:
            files["index.md"] = _index(c, companion)
        for name, text in files.items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
        manifest.append({"folder": folder.name, "main": f"{c.slug}.md",
                         "plants": {kind: PLANTS[kind] for kind in c.plants}})
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return sorted(written)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: `generate.py OUT_DIR N [--seed S]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the dossier sets into")
    parser.add_argument("n", type=int, help="number of dossier sets (main dossiers)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate(args.out, args.n, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files ({size / 1e6:.2f} MB) for {args.n} dossier sets "
          f"under {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
