"""The working copy of a case as a plain document, and the checks it must pass before review.

A working copy (``Submission.content``) looks like::

    {"title": "How ... ", "framing_question": "...", "takeaways": ["", "", ""],
     "summary": "...", "sections": [{"heading", "prompt", "response"}, ...],
     "applications": [{"recommendation": "<key>", "status", "justification", "excerpt"}],
     "roles": [slug], "principles": [slug], "tags": [name],
     "modalities": [value], "disclosure_types": [value]}
"""

from casebase.cases.models import CaseStudy, TemplateSection
from casebase.core.evidence import Voice
from casebase.core.params import MAX_VALUE_LENGTH, clean_key
from casebase.framework.models import Edition, Principle, StakeholderRole

TEXT_FIELDS = ("title", "framing_question", "summary")
LIST_FIELDS = ("roles", "principles", "tags", "modalities", "disclosure_types")


def template_sections():
    return list(TemplateSection.objects.filter(is_active=True).order_by("order"))


def empty_content(organization=None) -> dict:
    title = f"How {organization.name} " if organization else ""
    return {
        "title": title,
        "framing_question": "",
        "takeaways": ["", "", ""],
        "summary": "",
        "sections": [{"heading": s.heading, "prompt": s.prompt, "response": ""} for s in template_sections()],
        "applications": [],
        "roles": [],
        "principles": [],
        "tags": [],
        "modalities": [],
        "disclosure_types": [],
    }


def with_suggestions(content: dict, params) -> dict:
    """A new case started from a link that names what it is about (a gap-map cell:
    ``?rec=<key>&role=<slug>``, or ``principle=<slug>``), with those filled in. Names that
    are not the current edition's recommendation, or a known role or principle, are ignored."""

    def one(name: str) -> str:
        # Through the one parameter cleaner: a NUL byte (which PostgreSQL refuses) or an
        # overlong value never reaches the lookups below.
        value = params.get(name, "")
        return clean_key(value) if isinstance(value, str) and len(value) <= MAX_VALUE_LENGTH else ""

    content = dict(content)
    rec, role, principle = one("rec"), one("role"), one("principle")
    edition = Edition.objects.current()
    if rec and edition and edition.recommendations.filter(key=rec).exists():
        content["applications"] = [{"recommendation": rec, "status": "", "justification": "", "excerpt": ""}]
    if role and StakeholderRole.objects.filter(slug=role).exists():
        content["roles"] = [role]
    if principle and Principle.objects.filter(slug=principle).exists():
        content["principles"] = [principle]
    return content


def content_from_case(case: CaseStudy) -> dict:
    """The live case as a working copy: where a revision of a published case starts."""
    return normalize(
        {
            "title": case.title,
            "framing_question": case.framing_question,
            "takeaways": list(case.takeaways or []),
            "summary": case.summary,
            "sections": [
                {
                    "heading": s.get("heading", ""),
                    "prompt": s.get("prompt", ""),
                    "response": s.get("response", ""),
                }
                for s in case.sections or []
            ],
            "applications": [
                {
                    "recommendation": a.recommendation.key,
                    "status": a.status,
                    "justification": a.justification,
                    "excerpt": a.excerpt,
                }
                # The working copy holds the organization's own codings; other voices' stay on the case.
                for a in case.applications.filter(voice=Voice.SUPPORTER).select_related("recommendation")
            ],
            "roles": sorted(case.roles.values_list("slug", flat=True)),
            "principles": sorted(case.principles.values_list("slug", flat=True)),
            "tags": sorted(case.tags.values_list("name", flat=True)),
            "modalities": list(case.modalities or []),
            "disclosure_types": list(case.disclosure_types or []),
        }
    )


def normalize(content: dict | None) -> dict:
    """A well-formed working copy whatever came in: missing keys filled, types fixed."""
    content = dict(content or {})
    out: dict = {}
    for name in TEXT_FIELDS:
        out[name] = str(content.get(name) or "")
    takeaways = [str(t or "") for t in (content.get("takeaways") or [])]
    out["takeaways"] = (takeaways + ["", "", ""])[: max(3, len(takeaways))]
    out["sections"] = [
        {
            "heading": str(s.get("heading") or ""),
            "prompt": str(s.get("prompt") or ""),
            "response": str(s.get("response") or ""),
        }
        for s in content.get("sections") or []
        if isinstance(s, dict)
    ]
    out["applications"] = [
        {
            "recommendation": str(a.get("recommendation") or ""),
            "status": str(a.get("status") or ""),
            "justification": str(a.get("justification") or ""),
            "excerpt": str(a.get("excerpt") or ""),
        }
        for a in content.get("applications") or []
        if isinstance(a, dict) and a.get("recommendation")
    ]
    for name in LIST_FIELDS:
        out[name] = [str(v) for v in content.get(name) or []]
    return out


def missing_for_review(content: dict) -> list[tuple[str, str]]:
    """What a working copy still lacks before it can be submitted: (key, message) pairs.

    Keys name the part of the form: ``title``, ``framing_question``,
    ``takeaway_<n>``, ``section:<heading>``, ``applications``, ``roles``.
    """
    content = normalize(content)
    missing: list[tuple[str, str]] = []
    title = content["title"].strip()
    if not title:
        missing.append(("title", "Give the case a title."))
    elif not title.lower().startswith("how "):
        missing.append(("title", "The title follows the template: start it with “How <organization> …”."))
    if not content["framing_question"].strip():
        missing.append(("framing_question", "Write the framing question."))
    for number, text in enumerate(content["takeaways"][:3], start=1):
        if not text.strip():
            missing.append((f"takeaway_{number}", f"Write takeaway {number}."))
    responses = {s["heading"].strip().lower(): s["response"] for s in content["sections"]}
    for section in template_sections():
        if not responses.get(section.heading.strip().lower(), "").strip():
            missing.append(
                (f"section:{section.heading}", f"Answer section {section.order}: {section.heading}.")
            )
    if not content["applications"]:
        missing.append(("applications", "Name at least one recommendation the case applies."))
    for application in content["applications"]:
        if not application["justification"].strip():
            missing.append(
                (
                    "applications",
                    f"Explain why for recommendation {application['recommendation']}.",
                )
            )
    if not content["roles"]:
        missing.append(("roles", "Choose at least one stakeholder role."))
    return missing
