"""Deterministic synthetic case-bank text, for benchmarks and scale tests.

Pure Python (no database): ``seed_synthetic`` turns these plain dicts into
records. Every random choice comes from a ``random.Random`` seeded with a string
made of the seed and the record's index, so the same seed gives the same data
whatever order (or process) records are generated in.

Everything made here is marked synthetic: organization names end in
"(synthetic NNN)", slugs start with ``synthetic-``, source URLs use the reserved
``.example`` domain.
"""

import datetime
import random
from dataclasses import dataclass, field

SLUG_PREFIX = "synthetic-"

# Topic tags, each with phrases the case bodies use when they are about it, so
# that searching for a topic's words finds a realistic share of cases.
TOPICS: dict[str, list[str]] = {
    "watermarking": [
        "an invisible watermark on every generated image",
        "watermark robustness against cropping and compression",
        "a watermark detector shared with partner platforms",
    ],
    "provenance": [
        "provenance metadata attached at the moment of creation",
        "a provenance manifest that survives re-encoding",
        "signed provenance records for archived footage",
    ],
    "content credentials": [
        "Content Credentials on exported files",
        "a Content Credentials viewer in the publishing tool",
        "C2PA manifests for syndicated pictures",
    ],
    "labelling": [
        "an on-screen label reading 'made with AI'",
        "audience-facing labels on synthetic segments",
        "label wording tested with readers in two languages",
    ],
    "voice cloning": [
        "a cloned voice used for audio versions of articles",
        "consent records for every voice actor whose voice was cloned",
        "limits on cloning the voices of public figures",
    ],
    "consent": [
        "written consent from the people depicted",
        "a consent form that explains how likenesses will be reused",
        "a process for withdrawing consent after publication",
    ],
    "elections": [
        "election-period rules for synthetic political content",
        "a rapid-response desk for manipulated candidate videos",
        "restrictions on generating images of candidates",
    ],
    "satire": [
        "satirical synthetic video clearly framed as parody",
        "guidance on when satire needs an explicit disclosure",
    ],
    "detection": [
        "a classifier that flags likely synthetic uploads",
        "detection scores shown to human moderators",
        "the false-positive rate of automated detection",
    ],
    "newsroom policy": [
        "a newsroom policy on generative tools",
        "an editorial review step for any synthetic illustration",
        "a standards note published alongside the story",
    ],
    "user education": [
        "a help-centre guide on spotting synthetic media",
        "prompts that explain the label when users tap it",
        "media-literacy sessions run with schools",
    ],
    "platform policy": [
        "community guidelines on deceptive synthetic media",
        "an appeals route for creators whose posts were labelled",
        "enforcement data published every quarter",
    ],
    "non-consensual imagery": [
        "takedown of non-consensual intimate imagery",
        "hash-matching to stop re-uploads of abusive images",
        "support for people targeted by synthetic abuse",
    ],
    "avatars": [
        "synthetic presenters used in training videos",
        "avatar likeness licences renewed every year",
        "customer requests to build an avatar of a third person",
    ],
    "dubbing": [
        "synthetic dubbing of documentaries into new languages",
        "lip-sync adjustments disclosed in the credits",
    ],
    "accessibility": [
        "synthetic narration that makes articles accessible",
        "audio descriptions generated for visually impaired audiences",
    ],
    "research": [
        "a dataset of synthetic faces released for detection research",
        "red-team exercises against the image model",
        "an external audit of the model's safeguards",
    ],
    "advertising": [
        "synthetic people in advertising campaigns",
        "disclosure rules for sponsored synthetic content",
    ],
    "archives": [
        "restoration of archive footage with generative tools",
        "a register of every archival item altered by a model",
    ],
    "misinformation": [
        "a viral synthetic clip that misled audiences",
        "corrections issued after an altered image spread",
        "fact-checkers briefed on new generation techniques",
    ],
}

ACTORS = [
    "Our product team",
    "The editorial standards desk",
    "The trust and safety team",
    "A cross-functional working group",
    "Our research lab",
    "The legal and policy team",
    "Senior editors",
    "The engineering team",
    "Community moderators",
    "An external advisory panel",
    "The partnerships team",
    "Our leadership",
]
VERBS = [
    "reviewed",
    "introduced",
    "tested",
    "documented",
    "revised",
    "piloted",
    "audited",
    "published",
    "debated",
    "rolled out",
    "measured",
    "scoped",
]
QUALIFIERS = [
    "before the public launch",
    "over six months",
    "with help from external experts",
    "after feedback from users",
    "in three markets",
    "ahead of national elections",
    "as part of a wider policy review",
    "under tight deadlines",
    "with a small pilot group",
    "across every product line",
    "following an incident the year before",
    "in consultation with civil society partners",
]
LESSONS = [
    "disclosure works best when it is consistent across products",
    "audiences read labels differently depending on the platform",
    "consent needs to be revisited whenever the use of a likeness changes",
    "detection alone cannot carry the weight of a policy",
    "small teams need templates more than principles",
    "clear escalation paths matter more than perfect rules",
    "metadata is easily stripped once content leaves our systems",
    "partners adopt a practice faster when it is documented in public",
    "the cost of review grows with the volume of generated content",
    "users want to know why something was labelled, not only that it was",
]
REASONS = [
    "the tools changed faster than the policy",
    "partners used different standards",
    "legal advice differed between jurisdictions",
    "the audience research was inconclusive",
    "automated signals were unreliable on short clips",
    "creators worried labels would reduce reach",
]
FEEDBACK = [
    "The Framework could say more about audio-only media.",
    "More worked examples for small organizations would help.",
    "Guidance on when a label becomes counterproductive is missing.",
    "The distinction between direct and indirect disclosure needs examples.",
    "It would help to know how other supporters measured success.",
    "The recommendations for distributors assume a scale we do not have.",
]
TITLE_PATTERNS = [
    "{gerund} {topic} at {org}",
    "How {org} approached {topic}",
    "{topic_cap}: lessons from {org}",
    "{org} and the limits of {topic}",
    "Putting {topic} into practice at {org}",
]
GERUNDS = ["Designing", "Testing", "Scaling", "Governing", "Rethinking", "Introducing"]
FRAMING = [
    "When should {topic} be disclosed to audiences, and how?",
    "What does responsible {topic} look like for an organization of our size?",
    "How far can {topic} go before it needs explicit consent?",
    "Who is accountable when {topic} fails?",
]

ORG_ADJECTIVES = [
    "Northwind", "Bluefield", "Harbor", "Meridian", "Lumen", "Cobalt", "Juniper", "Sable",
    "Aurora", "Granite", "Kestrel", "Tidewater", "Orchard", "Summit", "Vesper", "Quarry",
]  # fmt: skip
ORG_NOUNS = {
    "industry": ["Labs", "AI", "Systems", "Studio Tools", "Networks", "Platforms"],
    "media": ["Broadcasting", "News", "Studios", "Media Group", "Pictures", "Radio"],
    "civil_society": ["Foundation", "Initiative", "Rights Watch", "Collective", "Alliance"],
    "academia": ["Institute", "University Lab", "Research Centre", "School of Media"],
}
ORG_KINDS = [("industry", 45), ("media", 27), ("civil_society", 18), ("academia", 10)]
ROLES_BY_KIND = {
    "industry": ["builder", "distributor-third-party", "creator"],
    "media": ["creator", "distributor-first-party", "builder"],
    "civil_society": ["civil-society-research", "creator"],
    "academia": ["civil-society-research", "builder"],
}
PRINCIPLES = [
    "consent",
    "disclosure",
    "transparency",
    "responsible-vs-harmful-use",
    "mitigation",
    "collaboration",
    "digital-dignity",
]
UNPUBLISHED_STATUSES = [
    ("draft", 55),
    ("submitted", 12),
    ("in_review", 10),
    ("changes_requested", 10),
    ("approved", 5),
    ("withdrawn", 4),
    ("rejected", 4),
]
APPLICATION_STATUSES = [("implemented", 50), ("partial", 25), ("considered", 15), ("not_applicable", 10)]
COMPLETENESS = [("complete", 70), ("partial", 20), ("stub", 10)]
GRADES = [("confirmed", 70), ("corroborated", 10), ("inferred", 12), ("recalled", 6), ("refuted", 2)]
VOICES = [("supporter", 60), ("pai", 15), ("editors", 25)]
# Share of codings that a second voice also codes (its status agreeing most of the time).
SECOND_VOICE = 0.3
AGREEMENT = 0.8
MODALITIES = ["audio", "visual", "multimodal"]
DISCLOSURES = ["direct", "indirect"]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def rng_for(seed: int, kind: str, index: int) -> random.Random:
    # String seeds are hashed with SHA-512: stable across processes and runs.
    return random.Random(f"{seed}:{kind}:{index}")


@dataclass
class Context:
    """What case generation needs to know about the database, as plain values."""

    seed: int
    organizations: list[dict]  # {"name", "short", "roles"}
    org_weights: list[float]
    recommendations: list[dict]  # {"key", "title", "roles"}
    template_sections: list[dict]  # {"heading", "prompt"}
    cohorts: list[dict]  # {"released_on": date}
    unpublished: frozenset[int] = field(default_factory=frozenset)


def organization(seed: int, index: int) -> dict:
    rng = rng_for(seed, "org", index)
    kind = _weighted(rng, ORG_KINDS)
    short = f"{rng.choice(ORG_ADJECTIVES)} {rng.choice(ORG_NOUNS[kind])}"
    number = f"{index + 1:03d}"
    pool = ROLES_BY_KIND[kind]
    roles = pool[: rng.choice([1, 1, 2, 2, 3])]
    joined = datetime.date(2023 + rng.randrange(3), rng.randrange(1, 13), 1)
    topic = rng.choice(list(TOPICS))
    return {
        "slug": f"{SLUG_PREFIX}{number}-{short.lower().replace(' ', '-')}",
        "name": f"{short} (synthetic {number})",
        "short": short,
        "kind": kind,
        "roles": roles,
        "joined_on": joined,
        "joined_label": f"{joined:%B %Y} (synthetic)",
        "website": f"https://{SLUG_PREFIX}{number}.example/",
        "description": (
            f"A synthetic {kind.replace('_', ' ')} organization generated for load testing. "
            f"Its invented work centres on {topic}."
        ),
        # A long tail: a few organizations write many cases, most write few.
        "weight": rng.paretovariate(1.2),
    }


def cohort(index: int) -> dict:
    year, half = 2023 + index // 2, index % 2
    released = datetime.date(year, 3 if half == 0 else 9, 15)
    return {
        "slug": f"{SLUG_PREFIX}{year}-{half + 1}",
        "name": f"Synthetic cohort {year}/{half + 1}",
        "released_on": released,
        "description": "Generated for load testing; not real case studies.",
    }


def _sentence(rng: random.Random, topics: list[str]) -> str:
    topic = rng.choice(topics) if rng.random() < 0.75 else rng.choice(list(TOPICS))
    thing = rng.choice(TOPICS[topic])
    form = rng.randrange(5)
    if form == 0:
        return f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {thing} {rng.choice(QUALIFIERS)}."
    if form == 1:
        return f"We learned that {rng.choice(LESSONS)}."
    if form == 2:
        return f"Work on {thing} was harder than expected because {rng.choice(REASONS)}."
    if form == 3:
        return f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {thing}, and {rng.choice(ACTORS).lower()} {rng.choice(VERBS)} the results {rng.choice(QUALIFIERS)}."
    return f"The decision to rely on {thing} was {rng.choice(['contested', 'welcomed', 'revisited', 'made quickly', 'costly'])}, {rng.choice(QUALIFIERS)}."


def _paragraph(rng: random.Random, topics: list[str]) -> str:
    return " ".join(_sentence(rng, topics) for _ in range(rng.randint(3, 7)))


def _response(rng: random.Random, topics: list[str], heading_index: int) -> str:
    parts = [_paragraph(rng, topics) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.25:
        parts.insert(1, "\n".join(f"- {_sentence(rng, topics)}" for _ in range(rng.randint(2, 4))))
    if heading_index == 4:
        parts.append(rng.choice(FEEDBACK))
    return "\n\n".join(parts)


def case(ctx: Context, index: int) -> dict:
    """One case study as plain values (markdown not yet rendered)."""
    rng = rng_for(ctx.seed, "case", index)
    org_index = rng.choices(range(len(ctx.organizations)), weights=ctx.org_weights)[0]
    org = ctx.organizations[org_index]
    topics = rng.sample(list(TOPICS), rng.randint(1, 3))
    main = topics[0]
    title = rng.choice(TITLE_PATTERNS).format(
        gerund=rng.choice(GERUNDS), topic=main, topic_cap=main.capitalize(), org=org["short"]
    )
    number = f"{index + 1:05d}"
    completeness = _weighted(rng, COMPLETENESS)
    if completeness == "stub":
        kept = 0
    elif completeness == "partial":
        kept = rng.randint(2, max(2, len(ctx.template_sections) - 1))
    else:
        kept = len(ctx.template_sections)
    sections = [
        {"heading": s["heading"], "prompt": s["prompt"], "response": _response(rng, topics, i)}
        for i, s in enumerate(ctx.template_sections[:kept])
    ]
    body_sentences = [s for sec in sections for s in sec["response"].split(". ") if len(s) > 40]

    if index in ctx.unpublished:
        status = _weighted(rng, UNPUBLISHED_STATUSES)
        cohort_index, published_on = None, None
    else:
        status = "published"
        cohort_index = rng.randrange(len(ctx.cohorts))
        released = ctx.cohorts[cohort_index]["released_on"]
        published_on = released + datetime.timedelta(days=rng.randrange(0, 60))

    roles = sorted(set(rng.sample(org["roles"], rng.randint(1, len(org["roles"])))))
    principles = sorted(rng.sample(PRINCIPLES, rng.randint(1, 3)))
    tags = sorted(set(topics) | set(rng.sample(list(TOPICS), rng.randint(0, 2))))

    # Applications favour recommendations addressed to the case's roles.
    weights = [4 if set(r["roles"]) & set(roles) else 1 for r in ctx.recommendations]
    chosen: list[int] = []
    wanted = min(len(ctx.recommendations), rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7]))
    while len(chosen) < wanted:
        pick = rng.choices(range(len(ctx.recommendations)), weights=weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    applications = []
    for rec_index in sorted(chosen):
        rec = ctx.recommendations[rec_index]
        app_status = _weighted(rng, APPLICATION_STATUSES)
        justification = (
            f"The case describes {rng.choice(TOPICS[main])}, which bears on "
            f"*{rec['title'].lower()}*. {_sentence(rng, topics)}"
        )
        if rng.random() < 0.4:
            justification += f" {_sentence(rng, topics)}"
        excerpt = rng.choice(body_sentences).strip() + "." if body_sentences and rng.random() < 0.4 else ""
        voice = _weighted(rng, VOICES)
        coding = {
            "rec_index": rec_index,
            "status": app_status,
            "justification": justification,
            "excerpt": excerpt,
            "voice": voice,
            "grade": _weighted(rng, GRADES),
        }
        applications.append(coding)
        if rng.random() < SECOND_VOICE:
            other = rng.choice([v for v, _ in VOICES if v != voice])
            second = app_status if rng.random() < AGREEMENT else _weighted(rng, APPLICATION_STATUSES)
            applications.append(coding | {"voice": other, "status": second, "grade": _weighted(rng, GRADES)})

    modalities = sorted(rng.sample(MODALITIES, rng.randint(0, 2)))
    return {
        "slug": f"{SLUG_PREFIX}{number}-{_slugify(title)}"[:120].rstrip("-"),
        "title": title,
        "org_index": org_index,
        "framing_question": rng.choice(FRAMING).format(topic=main) if kept else "",
        "takeaways": [f"{lesson[0].upper()}{lesson[1:]}." for lesson in rng.sample(LESSONS, 3)]
        if kept
        else [],
        "summary": " ".join(_sentence(rng, topics) for _ in range(rng.randint(2, 4))),
        "summary_grade": _weighted(rng, GRADES[:4]),
        "sections": sections,
        "cohort_index": cohort_index,
        "published_on": published_on,
        "source_url": f"https://casebase.example/synthetic/{number}",
        "official_url": f"https://casebase.example/synthetic/{number}",
        "modalities": modalities,
        "disclosure_types": sorted(rng.sample(DISCLOSURES, rng.randint(0, 2))),
        "completeness": completeness,
        "status": status,
        "grade": _weighted(rng, GRADES[:4]),
        "evidence_note": "Synthetic record generated for load testing.",
        "roles": roles,
        "principles": principles,
        "tags": tags,
        "applications": applications,
    }


def _slugify(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part)


def working_copy(data: dict, recommendations: list) -> dict:
    """An unpublished synthetic case's working copy (casebase.submissions' content shape)."""
    return {
        "title": data["title"],
        "framing_question": data["framing_question"],
        "takeaways": (list(data["takeaways"]) + ["", "", ""])[:3],
        "summary": data["summary"],
        "sections": data["sections"],
        "applications": [
            {
                "recommendation": recommendations[a["rec_index"]].key,
                "status": a["status"],
                "justification": a["justification"],
                "excerpt": a["excerpt"],
            }
            for a in data["applications"]
        ],
        "roles": data["roles"],
        "principles": data["principles"],
        "tags": data["tags"],
        "modalities": data["modalities"],
        "disclosure_types": data["disclosure_types"],
    }
