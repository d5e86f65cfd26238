"""Errors of the acknowledgement service, all under the one root :class:`reglament.errors.ReglamentError`."""

from __future__ import annotations

from ..errors import ReglamentError


class AckError(ReglamentError):
    """The acknowledgement service cannot do what was asked (exit 2)."""


class ConfigError(AckError):
    """The service configuration is invalid (``ack.yml``, an option or an environment variable)."""


class ImportProblems(AckError):
    """An HR import file has problems; :attr:`diagnostics` says where (exit 1, nothing imported)."""

    exit_code = 1


class ChainBroken(AckError):
    """``verify`` found records edited, inserted or deleted (exit 1)."""

    exit_code = 1


class NotRegistered(AckError):
    """An edition, regulation or employee the service does not know."""
