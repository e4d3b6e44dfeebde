"""Token generators and the registry that ``TOKEN_GENERATOR["CLASS"]`` names resolve through."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .conf import passwordreset_settings

__all__ = [
    "BaseTokenGenerator",
    "RandomNumberTokenGenerator",
    "RandomStringTokenGenerator",
    "get_token_generator",
    "get_token_generator_class",
    "register_generator",
    "registry",
]

registry: dict[str, type[BaseTokenGenerator]] = {}

G = TypeVar("G", bound="type[BaseTokenGenerator]")


def register_generator(name: str) -> Callable[[G], G]:
    """Class decorator: make a generator selectable as ``TOKEN_GENERATOR = {"CLASS": name}``."""

    def decorator(cls: G) -> G:
        registry[name] = cls
        return cls

    return decorator


class BaseTokenGenerator:
    """Base class of token generators: accepts any arguments, implements ``generate_token()``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def generate_token(self, *args: Any, **kwargs: Any) -> str:
        raise NotImplementedError("Token generators must implement generate_token().")

    def possible_tokens(self) -> int | None:
        """How many distinct tokens this generator can produce, or None if unknown."""
        return None


@register_generator("string")
class RandomStringTokenGenerator(BaseTokenGenerator):
    """Random letters and digits, of a random length between ``min_length`` and ``max_length``."""

    alphabet = string.ascii_letters + string.digits

    def __init__(self, min_length: int = 10, max_length: int = 50, *args: Any, **kwargs: Any):
        if not 1 <= min_length <= max_length:
            raise ValueError("RandomStringTokenGenerator needs 1 <= min_length <= max_length.")
        self.min_length = min_length
        self.max_length = max_length

    def generate_token(self, *args: Any, **kwargs: Any) -> str:
        length = self.min_length + secrets.randbelow(self.max_length - self.min_length + 1)
        return "".join(secrets.choice(self.alphabet) for _ in range(length))

    def possible_tokens(self) -> int:
        return sum(len(self.alphabet) ** n for n in range(self.min_length, self.max_length + 1))


@register_generator("number")
class RandomNumberTokenGenerator(BaseTokenGenerator):
    """A random whole number between ``min_number`` and ``max_number``, both included."""

    def __init__(self, min_number: int = 10000, max_number: int = 99999, *args: Any, **kwargs: Any):
        if not 0 <= min_number <= max_number:
            raise ValueError("RandomNumberTokenGenerator needs 0 <= min_number <= max_number.")
        self.min_number = min_number
        self.max_number = max_number

    def generate_token(self, *args: Any, **kwargs: Any) -> str:
        return str(self.min_number + secrets.randbelow(self.max_number - self.min_number + 1))

    def possible_tokens(self) -> int:
        return self.max_number - self.min_number + 1


def get_token_generator_class(name_or_path: Any = None) -> type[BaseTokenGenerator]:
    """Resolve a registered name, a dotted path or a class to a generator class."""
    if name_or_path is None:
        name_or_path = passwordreset_settings.TOKEN_GENERATOR["CLASS"]
    if isinstance(name_or_path, str):
        if name_or_path in registry:
            return registry[name_or_path]
        try:
            cls = import_string(name_or_path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"Token generator {name_or_path!r} is neither a registered name "
                f"({', '.join(sorted(registry))}) nor an importable dotted path: {exc}"
            ) from exc
    else:
        cls = name_or_path
    if not (isinstance(cls, type) and callable(getattr(cls, "generate_token", None))):
        raise ImproperlyConfigured(
            f"Token generator {name_or_path!r} is not a class with a generate_token() method."
        )
    return cls


def get_token_generator() -> BaseTokenGenerator:
    """A fresh instance of the configured generator, so changed settings are always seen."""
    config = passwordreset_settings.TOKEN_GENERATOR
    cls = get_token_generator_class(config["CLASS"])
    return cls(**config["OPTIONS"])
