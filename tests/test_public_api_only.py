"""The package uses only the public API of the frameworks it sits on (Django, graphene,
graphene-django, graphql-core, django-graphql-jwt, Celery): read from its source, so a reach
into a private name fails the suite before a framework release breaks it.

Allowed: Django's documented underscore names (``Model._meta``, the Options API;
``Model._default_manager``) read, never written to, and ``namedtuple._replace``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "graphql_passwordreset"
DOCUMENTED = frozenset({"_meta", "_default_manager", "_replace"})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _through_meta(node: ast.AST) -> bool:
    """Whether an assignment target reaches its object through ``._meta``."""
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr == "_meta":
            return True
        node = node.value
    return False


def violations(source: str) -> list[str]:
    """Every reach into a private name in ``source``, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if any(_is_private(part) for part in node.module.split(".")):
                found.append(f"{line}: imports from the private module {node.module}")
            for alias in node.names:
                if _is_private(alias.name) or alias.name == "__wrapped__":
                    found.append(f"{line}: imports the private {alias.name} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_is_private(part) for part in alias.name.split(".")):
                    found.append(f"{line}: imports the private module {alias.name}")
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if node.attr == "__wrapped__":
                found.append(f"{line}: unwraps a decorated function (__wrapped__)")
            elif (
                _is_private(node.attr)
                and owner not in ("self", "cls")
                and node.attr not in DOCUMENTED
            ):
                found.append(f"{line}: reaches into .{node.attr}")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [f"{line}: writes through ._meta" for t in targets if _through_meta(t)]
        elif isinstance(node, ast.Name) and node.id == "__wrapped__":
            found.append(f"{line}: names __wrapped__")
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(PACKAGE)) for p in SOURCES])
def test_module_uses_public_apis_only(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == []


def test_the_package_has_no_modules_that_forked_framework_internals() -> None:
    assert not (PACKAGE / "compiled.py").exists()
    assert not (PACKAGE / "views.py").exists()
    assert len(SOURCES) > 20  # the walk above really read the package


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from django.db.models.query import _chain", "imports the private _chain"),
        ("from django.db.models._private import x", "private module django.db.models._private"),
        ("import graphene_django._internal", "private module graphene_django._internal"),
        ("view = GraphQLView.as_view\nview.__wrapped__", "__wrapped__"),
        ("manager._db", "reaches into ._db"),
        ("queryset.query._filtered_relations", "reaches into ._filtered_relations"),
        ("mutation._meta.fields['x'].description = 'y'", "writes through ._meta"),
        ("mutation._meta.arguments['input'].kwargs['description'] = 'y'", "writes through"),
    ],
)
def test_the_check_catches_each_kind_of_reach(source: str, expected: str) -> None:
    found = violations(source)
    assert found and expected in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        "user_model._meta.get_field('email')",
        "User._default_manager.filter(pk=1)",
        "parts._replace(query='')",
        "self._lookup(key)",
        "cls._cache",
        "from django.db import models",
    ],
)
def test_the_check_allows_documented_and_own_names(source: str) -> None:
    assert violations(source) == []
