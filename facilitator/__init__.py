"""Facilitator (analysledare): accounts, workshop editor, live console, presenter screen."""

from flask import Blueprint

bp = Blueprint("facilitator", __name__, template_folder="templates")

from . import followup, library, oidc, participants, teams, views  # noqa: E402,F401
