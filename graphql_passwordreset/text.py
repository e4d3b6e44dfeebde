"""How user-typed identifiers are compared: the same way everywhere in the package."""

from __future__ import annotations

import unicodedata

__all__ = ["normalise"]


def normalise(value: str) -> str:
    """NFKC-normalised, casefolded, without surrounding white space.

    Casefolding after NFKC is what makes look-alike addresses such as ``mıke@example.org``
    (dotless i) differ from ``mike@example.org``, where a database's case-insensitive match
    may treat them as equal.
    """
    return unicodedata.normalize("NFKC", value).casefold().strip()
