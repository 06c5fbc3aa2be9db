"""The errors of the library's own controls (the handle's verbs, the server's control routes):
never a service error, and never sent to a client of the service."""

from __future__ import annotations


class ControlError(LookupError):
    """A handle control that can't be carried out: what it looked for, and where."""


class UnknownResource(ControlError):
    """The resource a control names does not exist in the account and region it looked in."""


class StepNotInProgress(ControlError):
    """The step a control would end is not in progress."""
