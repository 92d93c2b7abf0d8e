"""Who can reach the chat UI: this machine by default; other addresses need a password.

The UI can upload and delete articles, so serving it to a network without sign-in hands that
to anyone who can reach the port. Binding beyond loopback therefore needs `ASSISTANT_AUTH` or
an explicit `--insecure` (for a reverse proxy that does its own sign-in).
"""

import ipaddress
from dataclasses import dataclass

from pydantic import SecretStr

from assistant.errors import UsageError


class UnsafeExposure(UsageError):
    """The UI would be open to the network without sign-in, or the credentials are unusable."""


@dataclass(frozen=True)
class Exposure:
    """How the UI is served: the Gradio sign-in, if any, and what start-up says about it."""

    auth: tuple[str, str] | None
    notice: str


def is_loopback(host: str) -> bool:
    """Whether only this machine can connect to `host` (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may resolve to any interface


def credentials(auth: SecretStr | None) -> tuple[str, str] | None:
    """`user:password` as Gradio's auth pair; the password may itself hold colons."""
    if auth is None:
        return None
    user, colon, password = auth.get_secret_value().partition(":")
    if not colon or not user.strip() or not password:
        raise UnsafeExposure(
            "ASSISTANT_AUTH must be `user:password`, both non-empty (e.g. ASSISTANT_AUTH=news:"
            "a-long-passphrase)."
        )
    return user.strip(), password


def exposure(host: str, port: int, auth: SecretStr | None, insecure: bool) -> Exposure:
    """The sign-in for serving on host:port, or UnsafeExposure saying what to do instead."""
    pair = credentials(auth)
    signin = "sign-in required (ASSISTANT_AUTH)" if pair else "no sign-in"
    if is_loopback(host):
        return Exposure(pair, f"Only this machine can connect ({host}); {signin}.")
    if pair:
        return Exposure(
            pair,
            f"Listening on {host}:{port}: other machines can connect; {signin}. Gradio speaks "
            "plain HTTP, so put a reverse proxy with TLS in front (see SECURITY.md).",
        )
    if insecure:
        return Exposure(
            None,
            f"WARNING: listening on {host}:{port} without sign-in (--insecure): anyone who can "
            "reach this port can ask questions, upload and delete articles.",
        )
    raise UnsafeExposure(
        f"Refusing to serve on {host} without sign-in: anyone on the network could ask "
        "questions, upload and delete articles. Set ASSISTANT_AUTH=user:password to require "
        "sign-in, pass --insecure if a proxy in front of it already guards the port, or leave "
        "the host at 127.0.0.1 (see SECURITY.md)."
    )
