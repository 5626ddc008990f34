"""The house keeps one direction: imports go from the top layer down to core, never back up,
never sideways between apps of one layer, and never round in a circle.

Read from the code's own syntax trees (every ``import`` and ``from ... import``,
inside functions too: a lazy import is still an arrow), so no import is missed
because a module happens not to be loaded.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "casebase"

# Lowest first. An app may import its own modules and those of lower layers only;
# apps that share a layer know nothing of each other.
LAYERS = [
    {"core"},
    {"framework"},
    {"organizations"},
    {"cases"},
    {"accounts"},
    {"submissions", "analysis", "corrections", "commitments"},
    {"api", "editions"},
    {"pages", "datasets", "quality"},
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}
# Django's own entry points, above every app: they wire the apps together.
ENTRY_POINTS = {"casebase.urls", "casebase.settings", "casebase.wsgi", "casebase.gunicorn_conf"}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    """The casebase modules a file imports, resolved to module names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # ``from casebase.cases import search`` imports the module casebase.cases.search.
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {m for m in found if m == "casebase" or m.startswith("casebase.")}


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = {
        module_name(path, package.parent): path
        for path in package.rglob("*.py")
        if "migrations" not in path.parts
    }
    return {
        name: {m for m in imports_of(path, name) if m in modules and m != name}
        for name, path in modules.items()
    }


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def wrong_way(edges: dict[str, set[str]]) -> list[str]:
    """Arrows that run up a layer, or sideways between apps of one layer."""
    problems = []
    for source, targets in sorted(edges.items()):
        source_app = app_of(source)
        for target in sorted(targets):
            target_app = app_of(target)
            if source in ENTRY_POINTS or target_app is None or source_app == target_app:
                continue
            if source_app is None:
                problems.append(f"{source} -> {target}: a module outside the apps imports an app")
            elif RANK[target_app] >= RANK[source_app]:
                problems.append(
                    f"{source} -> {target}: {source_app} (layer {RANK[source_app]}) "
                    f"may not import {target_app} (layer {RANK[target_app]})"
                )
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of modules larger than one (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps == set(RANK), f"give each app a layer in LAYERS: {sorted(apps ^ set(RANK))}"


def test_imports_run_down_the_layers():
    assert wrong_way(graph()) == []


def test_no_module_imports_go_round_in_a_circle():
    assert cycles(graph()) == []


# The checks themselves must catch what they are for: each of these arrows, as the
# code once had them, is reported.
@pytest.mark.parametrize(
    "source, target",
    [
        ("casebase.core.views", "casebase.cases.models"),  # the ground knowing the domain
        ("casebase.framework.views", "casebase.cases.facetindex"),
        ("casebase.organizations.views", "casebase.cases.models"),
        ("casebase.cases.exports", "casebase.analysis.querying"),
        ("casebase.accounts.forms", "casebase.submissions.forms"),
        ("casebase.analysis.aggregates", "casebase.submissions.models"),  # sideways in one layer
    ],
)
def test_a_wrong_way_arrow_is_reported(source, target):
    assert wrong_way({source: {target}}) != []


def test_a_circle_is_reported():
    edges = {
        "casebase.cases.models": {"casebase.cases.search"},
        "casebase.cases.search": {"casebase.cases.models"},
    }
    assert cycles(edges) == [["casebase.cases.models", "casebase.cases.search"]]


def test_a_real_file_with_a_bad_import_fails(tmp_path):
    """The whole pipeline, from a file on disk: a deliberate bad import is caught."""
    package = tmp_path / "casebase"
    for app in ("core", "cases"):
        (package / app).mkdir(parents=True)
        (package / app / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "cases" / "models.py").write_text("X = 1\n")
    (package / "core" / "views.py").write_text(
        "def home():\n    from casebase.cases.models import X\n    return X\n"
    )
    problems = wrong_way(graph(package))
    assert problems == [
        "casebase.core.views -> casebase.cases.models: core (layer 0) may not import cases (layer 3)"
    ]
