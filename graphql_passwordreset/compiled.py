"""SELECTs that the ORM compiles once per database connection and then runs with new values.

Every request, validate and confirm looks a row up by a value the client sent. Building that
query through the ORM (queryset, WHERE tree, SQL compiler) costs several times what the
database takes to answer it. A ``CompiledSelect`` keeps the SQL the ORM produced for a
queryset built with stand-in values, and turns the rows back into model instances with the
compiler's own converters and Django's related populators, as iterating the queryset would.

A queryset is only compiled this way when the SQL is provably a function of its shape alone:
the stand-ins must come out of the compiler as the parameters, in order, each as ``prepare``
would make it. Anything else (a lookup field that rewrites values, say) is answered ``None``,
and the caller keeps to the plain ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db import models
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

__all__ = ["CompiledSelect"]


def _unchanged(value: str) -> Any:
    return value


class CompiledSelect:
    """One compiled SELECT of one model (with its ``select_related`` rows) on one connection."""

    # connection -> shape -> the compiled SELECT, or None where the shape cannot be compiled.
    _cache: WeakKeyDictionary[Any, dict[Hashable, CompiledSelect | None]] = WeakKeyDictionary()

    def __init__(
        self, connection: Any, compiler: Any, sql: str, prepare: Callable[[str], Any]
    ) -> None:
        self.connection = connection
        self.compiler = compiler
        self.sql = sql
        self.prepare = prepare
        self.model = compiler.klass_info["model"]
        self.populators = get_related_populators(
            compiler.klass_info, compiler.select, connection.alias
        )
        fields = compiler.klass_info["select_fields"]
        self.own_columns = slice(fields[0], fields[-1] + 1)
        self.own_names = [column[0].target.attname for column in compiler.select[self.own_columns]]

    @classmethod
    def on(
        cls,
        connection: Any,
        shape: Hashable,
        build: Callable[[list[str]], models.QuerySet[Any]],
        values: int,
        prepare: Callable[[str], Any] = _unchanged,
    ) -> CompiledSelect | None:
        """The SELECT of ``build(stand_ins)`` with ``values`` parameters on ``connection``,
        compiled on first use for this ``shape`` (which must name everything ``build``
        depends on), or None when its SQL cannot be reused."""
        compiled = cls._cache.setdefault(connection, {})
        if shape not in compiled:
            compiled[shape] = cls._compile(connection, build, values, prepare)
        return compiled[shape]

    @classmethod
    def _compile(
        cls,
        connection: Any,
        build: Callable[[list[str]], models.QuerySet[Any]],
        values: int,
        prepare: Callable[[str], Any],
    ) -> CompiledSelect | None:
        # Letters and digits only: no character that a LIKE pattern or a collation treats
        # specially, so that any rewriting of a value shows up as a mismatch below.
        stand_ins = [f"graphqlpasswordresetvalue{n}" for n in range(values)]
        queryset = build(stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [prepare(stand_in) for stand_in in stand_ins]:
            return None
        return cls(connection, compiler, sql, prepare)

    def fetch(self, values: Sequence[str]) -> list[Any]:
        """The model instances the SELECT finds for ``values``, in the order of its rows."""
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, [self.prepare(value) for value in values])
            rows = cursor.fetchall()
        instances = []
        for row in self.compiler.results_iter(results=[rows]):
            instance = self.model.from_db(
                self.connection.alias, self.own_names, row[self.own_columns]
            )
            for populator in self.populators:
                populator.populate(row, instance)
            instances.append(instance)
        return instances
