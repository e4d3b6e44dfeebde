"""Getting a new token to its user: in the request after commit, or through a dispatcher.

DELIVERY = "request" (the default) runs the ``reset_password_token_created`` receivers in the
request, once the transaction that created the tokens has committed. DELIVERY = a dotted path
to a dispatcher moves all of it off the request path: the request only validates the input,
counts throttles and hands a :class:`ResetJob` (a JSON-serialisable dict) to the dispatcher;
a worker later calls ``services.deliver``, which looks the address up, creates the tokens and sends
the signal. The request then does the same work for every address, known or not, so its
timing tells nothing, and the plaintext token never passes through the broker.

This module is plumbing: the job and its hand-over. Carrying a job out is the services' work
(``services.deliver``), so nothing here imports them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

from .client import audit_ip, audit_user_agent
from .conf import IN_REQUEST, passwordreset_settings

__all__ = ["ResetJob", "address_digest", "dispatch", "get_dispatcher"]

logger = logging.getLogger("graphql_passwordreset")

JOB_VERSION = 1


@dataclass(frozen=True)
class ResetJob:
    """Everything a worker needs to carry out a password reset request, and nothing secret."""

    address: str
    reset_url: str | None
    ip_address: str | None
    user_agent: str
    language: str | None
    sender: str | None
    version: int = JOB_VERSION

    # Receivers are promised an ``instance`` with a ``request``; a worker has none.
    request = None

    @classmethod
    def for_request(
        cls, request: HttpRequest, address: str, reset_url: str | None, sender: Any
    ) -> ResetJob:
        return cls(
            address=address,
            reset_url=reset_url,
            ip_address=audit_ip(request),
            user_agent=audit_user_agent(request),
            language=translation.get_language(),
            sender=f"{sender.__module__}.{sender.__qualname__}" if sender is not None else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResetJob:
        """The job a dispatcher passed on; unknown keys (a newer sender) are ignored."""
        if not isinstance(data, dict) or not isinstance(data.get("address"), str):
            raise ValueError(f"Not a password reset job: {data!r}")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    def sender_class(self) -> Any:
        if not self.sender:
            return None
        try:
            return import_string(self.sender)
        except ImportError:
            logger.warning("The sender %s of a password reset job cannot be imported.", self.sender)
            return None


@lru_cache(maxsize=8)
def _import_dispatcher(path: str) -> Callable[[dict[str, Any]], Any]:
    dispatcher: Callable[[dict[str, Any]], Any] = import_string(path)
    return dispatcher


def get_dispatcher() -> Callable[[dict[str, Any]], Any] | None:
    """The configured dispatcher, or None when receivers run in the request."""
    path = passwordreset_settings.DELIVERY
    if path == IN_REQUEST:
        return None
    return _import_dispatcher(path)


def address_digest(address: str) -> str:
    """A short keyed digest of ``address`` (under SECRET_KEY), logged in place of the address:
    compute it for an address to find that address's lines in the log."""
    return salted_hmac(
        "graphql_passwordreset.delivery.address_digest", address, algorithm="sha256"
    ).hexdigest()[:12]


def dispatch(dispatcher: Callable[[dict[str, Any]], Any], job: ResetJob) -> None:
    """Hand ``job`` to ``dispatcher``. A failure (a broker down, or silent past the
    dispatcher's bound) is logged as a lost job, never raised: the answer must not tell a known
    address from an unknown one."""
    try:
        dispatcher(job.as_dict())
    except Exception:
        # The job holds no token; its address is logged only as a digest.
        logger.exception(
            "The password reset dispatcher %s failed: the job for address %s (sender %s) is "
            "lost, and no reset e-mail will be sent for this request.",
            passwordreset_settings.DELIVERY,
            address_digest(job.address),
            job.sender,
        )
