"""Schemathesis hooks and checks of our own, loaded by the fuzz run
(SCHEMATHESIS_HOOKS=bench.fuzz_hooks).

Hook ``flatmap_body``: a third of the generated documents get a known user's address as their
``email`` arguments, another third that and an allowed ``redirectUrl`` too, so the fuzz also
reaches the paths behind validation (a redirect URL checked, a token created and delivered
after commit), not only the refusals.

Checks, next to Schemathesis' built-in ones:

- ``no_internal_details``: an answer never carries a traceback, a source path, a module name,
  or the package's generic "could not be processed" message (which it gives only after an
  unexpected exception), unless the request itself contained that text.
- ``OutcomesSeen``: records which outcomes (HTTP status, ok/valid, error codes) each operation
  produced, writes them to FUZZ_OUTCOMES_PATH, and with FUZZ_EXPECT_THROTTLED=1 fails unless
  every password reset operation was answered THROTTLED at least once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import schemathesis
from graphql import language
from hypothesis import strategies as st

from tests.leaks import LEAK_MARKERS

# Part of the package's generic message (mixins.UNEXPECTED_ERROR_MESSAGE), which this process,
# without Django, does not import.
UNEXPECTED_ERROR = "could not be processed right now"
OPERATIONS = ("requestPasswordReset", "validateResetToken", "confirmPasswordReset")
# bench/fuzz.py creates a user with this address; the fuzz server allows this redirect host.
KNOWN_VALUES = {
    "email": "fuzz.user@example.com",
    "redirectUrl": "https://app.example.com/reset-password/",
}


class _KnownValues(language.Visitor):
    """Puts KNOWN_VALUES[name] into the string arguments (and Relay input fields) ``names``."""

    def __init__(self, *names: str) -> None:
        super().__init__()
        self.names = names

    def _replace(self, node: Any, build: Any) -> Any:
        value = KNOWN_VALUES.get(node.name.value) if node.name.value in self.names else None
        if value is None or not isinstance(node.value, language.StringValueNode):
            return None  # keep the node
        return build(name=node.name, value=language.StringValueNode(value=value))

    def enter_argument(self, node: language.ArgumentNode, *_: Any) -> Any:
        return self._replace(node, language.ArgumentNode)

    def enter_object_field(self, node: language.ObjectFieldNode, *_: Any) -> Any:
        return self._replace(node, language.ObjectFieldNode)


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    if not isinstance(body, language.DocumentNode):
        return st.just(body)
    known_address = language.visit(body, _KnownValues("email"))
    known_both = language.visit(body, _KnownValues("email", "redirectUrl"))
    return st.sampled_from([body, known_address, known_both])


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _texts(raw: str) -> str:
    """``raw`` and, when it is JSON, every string in it with its escapes resolved."""
    try:
        return "\n".join([raw, *_strings(json.loads(raw))])
    except ValueError:
        return raw


def _sent(document: str) -> str:
    """The document, and its string values as the server reads them (escapes resolved): a
    Relay answer echoes ``clientMutationId`` back."""
    values = [document, document.replace('\\"', '"')]
    try:
        parsed = language.parse(document)
    except Exception:  # a deliberately broken document
        return "\n".join(values)

    class Strings(language.Visitor):
        def enter_string_value(self, node: language.StringValueNode, *_: Any) -> None:
            values.append(node.value)

    language.visit(parsed, Strings())
    return "\n".join(values)


@schemathesis.check
def no_internal_details(ctx: Any, response: Any, case: Any) -> bool:
    """Nothing internal in the answer (the request's own text may be echoed back)."""
    received = _texts(response.content.decode("utf-8", "replace"))
    sent = _sent(str(case.body))
    for marker in (*LEAK_MARKERS, UNEXPECTED_ERROR):
        if marker in received and marker not in sent:
            raise AssertionError(f"The answer contains {marker!r}:\n{received[:2000]}")
    return True


def _outcomes(response: Any) -> Iterator[str]:
    """``HTTP <status>``, then for each password reset payload its ok/valid and error codes."""
    yield f"HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    if not isinstance(body, dict):
        return
    if body.get("errors"):
        yield "GraphQL errors"
    for payload in (body.get("data") or {}).values():
        if not isinstance(payload, dict):
            continue
        for flag in ("ok", "valid"):
            if flag in payload:
                yield f"{flag}={payload[flag]}"
        for error in payload.get("errors") or []:
            if isinstance(error, dict) and "code" in error:
                yield str(error["code"])


@schemathesis.check
class OutcomesSeen:
    """Which outcomes each operation reached; a set, since shrinking replays responses."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}

    def after_response(self, ctx: Any, response: Any, case: Any) -> bool:
        name = case.operation.label.rsplit(".", 1)[-1]
        self.seen.setdefault(name, set()).update(_outcomes(response))
        return True

    def after_run(self, ctx: Any) -> None:
        path = os.environ.get("FUZZ_OUTCOMES_PATH")
        if path:
            report = {name: sorted(outcomes) for name, outcomes in sorted(self.seen.items())}
            Path(path).write_text(json.dumps(report, indent=2), encoding="utf-8")
        if os.environ.get("FUZZ_EXPECT_THROTTLED") == "1":
            missing = [
                name
                for name in OPERATIONS
                if name in self.seen and "THROTTLED" not in self.seen[name]
            ]
            if missing:
                raise AssertionError(f"Never answered THROTTLED: {', '.join(missing)}")
