"""Phones: join by code or QR link, then one screen per activity kind, no account."""

from flask import Blueprint

bp = Blueprint("participant", __name__, template_folder="templates")

from . import views  # noqa: E402,F401
