"""graphene-django's GraphQLView, parsing and validating each distinct document only once.

graphene-django parses and validates the query text of every request; graphql-core keeps no
cache. A client sends the same few documents over and over (only the variables change), so
remembering the verdict for a valid document removes most of GraphQL's own cost per request.

A document that does not parse or validate is remembered only as "not valid" and takes
graphene-django's own path, so its errors reach the client exactly as before. The cache is
bounded in entries and in the total length of the documents it holds: a client sending
endless distinct documents only pushes older ones out.

It also answers 400, not 500, for request bodies graphene-django 3.2 lets crash: an
application/graphql body that is not UTF-8, and JSON nested deeper than the interpreter's
recursion limit. It refuses any JSON body or variables nested deeper than MAX_JSON_DEPTH, so
that no code after the decoding (graphql-core's input coercion, a project's scalar) can run
out of stack on them either.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from graphene_django import views as graphene_views
from graphene_django.constants import MUTATION_ERRORS_FLAG
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLSchema,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
    validate_schema,
)

__all__ = [
    "DOCUMENT_CACHE_SIZE",
    "MAX_CACHED_CHARACTERS",
    "MAX_CACHED_DOCUMENT_LENGTH",
    "MAX_JSON_DEPTH",
    "CachedGraphQLView",
    "DocumentCache",
]

# The bounds of the cache. A parsed document keeps every token of its text (for the locations
# in error messages), about 110 bytes per character of query text, so the total length bounds
# the memory: 256 KiB of query text is at most about 30 MB of parsed documents. Client
# documents are far shorter than the longest one remembered; longer ones are still answered.
DOCUMENT_CACHE_SIZE = 256
MAX_CACHED_CHARACTERS = 256 * 1024
MAX_CACHED_DOCUMENT_LENGTH = 16 * 1024

# The deepest nesting of lists and objects accepted in a JSON body or in the variables: far
# more than any GraphQL request needs, far below the interpreter's recursion limit (1000).
MAX_JSON_DEPTH = 256

_MISSING = object()


class DocumentCache:
    """Verdicts on documents (the parsed document, or None for an invalid one), least
    recently used first out, bounded in entries and in total query length. Thread-safe."""

    def __init__(self, max_entries: int, max_characters: int) -> None:
        self.max_entries = max_entries
        self.max_characters = max_characters
        self.characters = 0
        self._entries: OrderedDict[Hashable, tuple[DocumentNode | None, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any:
        """The verdict stored under ``key``, or ``_MISSING``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return _MISSING
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, verdict: DocumentNode | None, length: int) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (verdict, length)
            self.characters += length
            while len(self._entries) > self.max_entries or self.characters > self.max_characters:
                _verdict, dropped = self._entries.popitem(last=False)[1]
                self.characters -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.characters = 0


document_cache = DocumentCache(DOCUMENT_CACHE_SIZE, MAX_CACHED_CHARACTERS)


def _verdict(
    schema: GraphQLSchema, rules: tuple[Any, ...] | None, max_errors: int | None, query: str
) -> DocumentNode | None:
    """The parsed document when ``query`` is valid against ``schema`` under ``rules``, else
    None. Pure in its arguments, so one verdict per distinct argument tuple is enough."""
    if validate_schema(schema):
        return None
    try:
        document = parse(query)
    except Exception:
        return None
    if validate(schema, document, rules, max_errors):
        return None
    return document


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether decoded JSON nests lists and objects more than ``limit`` levels deep. A loop,
    not recursion, so the check itself cannot run out of stack."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _bad_request(message: str) -> HttpError:
    """The error graphene-django's dispatch turns into a 400 with ``{"errors": [...]}``."""
    return HttpError(HttpResponseBadRequest(message))


def _graphene_settings() -> Any:
    """The settings object GraphQLView itself reads, so both views always agree."""
    return graphene_views.graphene_settings


class CachedGraphQLView(GraphQLView):  # type: ignore[misc]  # graphene-django is untyped
    """A drop-in GraphQLView: ``path("graphql", CachedGraphQLView.as_view(schema=schema))``.

    Answers are the same as GraphQLView's; a repeated valid document skips parse and validate.
    Bodies GraphQLView cannot decode get a 400 where it would answer 500.

    ``csrf_cookie=False`` leaves out the CSRF cookie GraphQLView sets on every answer (the
    GraphiQL page still gets it: its template asks for the token it sends back). An endpoint
    only API clients call has no use for it, and setting it costs each request a run of the
    CSRF middleware's checks. CSRF protection itself is the middleware's, unchanged.
    """

    csrf_cookie = True

    def __init__(self, *args: Any, csrf_cookie: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.csrf_cookie = csrf_cookie

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.csrf_cookie:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]
        # GraphQLView.dispatch without the ensure_csrf_cookie decorator graphene-django wraps
        # around it (method_decorator keeps the plain function as __wrapped__).
        plain_dispatch = GraphQLView.dispatch.__wrapped__
        return plain_dispatch(self, request, *args, **kwargs)  # type: ignore[no-any-return]

    def parse_body(self, request: HttpRequest) -> Any:
        """GraphQLView's, but an application/graphql body that is not UTF-8 and JSON nested too
        deep are client errors: graphene-django 3.2 lets their exceptions escape (a 500)."""
        try:
            data = super().parse_body(request)
        except UnicodeDecodeError as exc:
            # The same message GraphQLView gives for a JSON body that is not UTF-8.
            raise _bad_request(str(exc)) from None
        except RecursionError:  # json.loads, beyond the interpreter's recursion limit
            raise _bad_request("POST body is nested too deeply.") from None
        if _nested_deeper_than(data, MAX_JSON_DEPTH):
            raise _bad_request("POST body is nested too deeply.")
        return data

    @staticmethod
    def get_graphql_params(request: HttpRequest, data: Any) -> Any:
        """GraphQLView's, but refusing variables nested too deep, which also arrive as a JSON
        string in the query string or a form field, not only inside a JSON body."""
        params = GraphQLView.get_graphql_params(request, data)
        if _nested_deeper_than(params[1], MAX_JSON_DEPTH):
            raise _bad_request("Variables are nested too deeply.")
        return params

    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: Any,
        variables: Any,
        operation_name: Any,
        show_graphiql: bool = False,
    ) -> Any:
        document = self._cached_document(query)
        operation = get_operation_ast(document, operation_name) if document else None
        if (
            document is None
            or operation is None
            or show_graphiql
            or (request.method != "POST" and operation.operation != OperationType.QUERY)
        ):
            # Errors, GraphiQL and the refusal of a mutation over GET: graphene-django's path.
            return super().execute_graphql_request(
                request, data, query, variables, operation_name, show_graphiql
            )
        return self._execute(request, document, operation.operation, variables, operation_name)

    def _cached_document(self, query: Any) -> DocumentNode | None:
        if not isinstance(query, str) or not query or len(query) > MAX_CACHED_DOCUMENT_LENGTH:
            return None
        schema = self.schema.graphql_schema
        rules = tuple(self.validation_rules) if self.validation_rules is not None else None
        max_errors = _graphene_settings().MAX_VALIDATION_ERRORS
        key = (schema, rules, max_errors, query)
        verdict = document_cache.get(key)
        if verdict is _MISSING:
            verdict = _verdict(schema, rules, max_errors, query)
            document_cache.put(key, verdict, len(query))
        return verdict  # type: ignore[no-any-return]

    def _execute(
        self,
        request: HttpRequest,
        document: DocumentNode,
        operation: OperationType,
        variables: Any,
        operation_name: Any,
    ) -> ExecutionResult:
        """Execute a valid document with the options GraphQLView passes, mutations in one
        transaction when graphene-django's ATOMIC_MUTATIONS asks for it."""
        options: dict[str, Any] = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        if self.execution_context_class:
            options["execution_context_class"] = self.execution_context_class
        schema = self.schema.graphql_schema
        atomic = operation == OperationType.MUTATION and (
            _graphene_settings().ATOMIC_MUTATIONS is True
            or connection.settings_dict.get("ATOMIC_MUTATIONS", False) is True
        )
        try:
            if not atomic:
                return execute(schema, document, **options)  # type: ignore[return-value]
            with transaction.atomic():
                result = execute(schema, document, **options)
                if getattr(request, MUTATION_ERRORS_FLAG, False) is True:
                    transaction.set_rollback(True)
            return result  # type: ignore[return-value]
        except Exception as exc:
            return ExecutionResult(errors=[exc])  # type: ignore[list-item]
