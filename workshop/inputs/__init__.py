"""Storing phone inputs: the one write path of every kind.

A kind says what an input means (``ActivityKind.prepare`` → ``Entry``); this package owns the
rules of storing it, the same for every kind and every road:

- a resend (same participant and ``client_id``) is answered with the stored input and counted
  once — also after the activity was locked, its limit reached or its settings changed;
- a closed workshop, a locked activity, one that is not current (live mode) refuse;
- the entry supersedes what the kind says it replaces; limits count the phone's current entries;
- an input is acknowledged only after the commit that holds it.

``batch.write_batch`` applies the rules to a batch in one transaction; ``writer.InputWriter``
is the per-process group commit that feeds it (and ``submit`` stores one input at once, for
the CLI, scripts and tests).
"""

from .batch import Item, write_batch
from .rules import CLIENT_ID_MAX, Stored, activity_open_for, client_id_ok, closed_reason, db_id
from .writer import InputWriter, submit

__all__ = [
    "CLIENT_ID_MAX",
    "InputWriter",
    "Item",
    "Stored",
    "activity_open_for",
    "client_id_ok",
    "closed_reason",
    "db_id",
    "submit",
    "write_batch",
]
