"""Citations in BibTeX, RIS and CSL-JSON for cases, analyses, analysis views and the snapshot."""

import datetime
import json
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from casebase.core.siteurl import site_url

PUBLISHER = "Partnership on AI"
# Views and the dataset are computed by the site itself; their author is the site, not PAI.
SITE_AUTHOR = "Casebase"
SITE_NAME = "Casebase: Responsible Practices for Synthetic Media case studies"


@dataclass
class Citation:
    title: str
    author: str  # an organization, cited as a corporate author
    year: int | None
    url: str
    accessed: datetime.date
    kind: str = "webpage"  # or "dataset", "report"
    key_hint: str = ""
    version: str = ""
    # What a reader of the citation must know: an unconfirmed title or author, the original address.
    note: str = ""
    # Where PAI itself published the case, when it did: shown beside the citation as a link.
    original_url: str = ""

    @property
    def key(self) -> str:
        base = slugify(f"{self.author} {self.year or 'nd'} {self.key_hint or self.title}")
        return re.sub(r"[^a-z0-9]+", "_", base)[:60].strip("_") or "casebase"

    def bibtex(self) -> str:
        fields = [
            ("title", f"{{{bibtex_escape(self.title)}}}"),
            ("author", f"{{{bibtex_escape(self.author)}}}"),  # double braces: a corporate author
            ("year", str(self.year) if self.year else None),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("howpublished", SITE_NAME if self.kind != "dataset" else None),
            ("publisher", PUBLISHER if self.kind == "dataset" else None),
            ("version", self.version or None),
            (
                "note",
                " ".join(filter(None, [bibtex_escape(self.note), f"Accessed {self.accessed.isoformat()}"])),
            ),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        entry = "dataset" if self.kind == "dataset" else "misc"
        return f"@{entry}{{{self.key},\n{body}\n}}\n"

    def ris(self) -> str:
        kind = {"dataset": "DATA", "report": "RPRT"}.get(self.kind, "ELEC")
        lines = [
            ("TY", kind),
            ("TI", self.title),
            ("AU", self.author),
            ("PY", str(self.year) if self.year else ""),
            ("UR", self.url),
            ("Y2", self.accessed.strftime("%Y/%m/%d")),
            ("PB", PUBLISHER if self.kind == "dataset" else SITE_NAME),
            ("ET", self.version),
            ("N1", self.note),
        ]
        text = "".join(f"{tag}  - {ris_clean(value)}\n" for tag, value in lines if value)
        return text + "ER  - \n"

    def csl(self) -> dict:
        item = {
            "id": self.key,
            "type": {"dataset": "dataset", "report": "report"}.get(self.kind, "webpage"),
            "title": self.title,
            "author": [{"literal": self.author}],
            "URL": self.url,
            "accessed": {"date-parts": [[self.accessed.year, self.accessed.month, self.accessed.day]]},
            "publisher": PUBLISHER if self.kind == "dataset" else SITE_NAME,
        }
        if self.year:
            item["issued"] = {"date-parts": [[self.year]]}
        if self.version:
            item["version"] = self.version
        if self.note:
            item["note"] = self.note
        return item

    def csl_json(self) -> str:
        # One item per line: short enough to read in the panel, valid CSL-JSON to paste.
        return "[\n  " + json.dumps(self.csl(), ensure_ascii=False) + "\n]\n"


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in " ".join(text.split()))


def ris_clean(text: str) -> str:
    return " ".join(str(text).split())


def absolute(path: str) -> str:
    return site_url() + path


def today() -> datetime.date:
    return timezone.localdate()


def for_case(case) -> Citation:
    """A case's citation: its author only as sure as its attribution, its title said to be ours when
    PAI's is not known, and PAI's own page for it when there is one."""
    year = case.published_on.year if case.published_on else None
    attribution, title = case.provenance("organization"), case.provenance("title")
    notes = []
    if attribution.is_fact:
        author = case.organization.name
    else:
        author = "Author not established"
        notes.append(f"Attributed to {case.organization.name} ({attribution.flag}), not confirmed.")
    if not title.is_fact:
        notes.append("Descriptive title by Casebase editors; PAI's title is not established.")
    original = case.provenance("official_url")
    original_url = case.official_url if case.official_url and original.is_shown else ""
    if original_url and original.is_fact:
        notes.append(f"Published by Partnership on AI at {original_url}.")
    elif original_url:
        notes.append(
            f"Published by Partnership on AI, probably at {original_url} ({original.flag}, not confirmed)."
        )
    return Citation(
        title=case.title,
        author=author,
        year=year,
        url=absolute(case.get_absolute_url()),
        accessed=today(),
        key_hint=case.slug,
        note=" ".join(notes),
        original_url=original_url,
    )


def for_analysis(analysis) -> Citation:
    return Citation(
        title=analysis.title,
        author=analysis.author,
        year=analysis.published_on.year if analysis.published_on else None,
        url=absolute(analysis.get_absolute_url()),
        accessed=today(),
        kind="report",
        key_hint=analysis.slug,
    )


def for_view(title: str, full_path: str) -> Citation:
    """A saved analysis view: its address with the query string is the permalink."""
    return Citation(
        title=f"{title}. Casebase cross-case analysis",
        author=SITE_AUTHOR,
        year=today().year,
        url=absolute(full_path),
        accessed=today(),
        key_hint=title,
    )


def for_snapshot(date: datetime.date, path: str = "/analysis/data/") -> Citation:
    return Citation(
        title=f"Casebase snapshot of the Responsible Practices for Synthetic Media case studies, {date.isoformat()}",
        author=SITE_AUTHOR,
        year=date.year,
        url=absolute(path),
        accessed=today(),
        kind="dataset",
        key_hint=f"snapshot {date.isoformat()}",
        version=date.isoformat(),
    )


def for_collection(collection) -> Citation:
    """A reader's public collection: its permalink, dated by its last change and the day it was read
    (a collection changes, so the date says which state was cited)."""
    changed = timezone.localdate(collection.updated_at)
    return Citation(
        title=f"{collection.name}. A collection of case studies on Casebase (as of {changed.isoformat()})",
        author=SITE_AUTHOR,
        year=changed.year,
        url=absolute(collection.get_absolute_url()),
        accessed=today(),
        key_hint=f"collection {collection.pk}",
        version=changed.isoformat(),
    )


FORMATS = {
    "bib": ("bibtex", "application/x-bibtex; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "json": ("csl_json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
}
