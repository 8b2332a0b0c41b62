"""Excel roster import and export (花名册), and backups."""

from flask import Blueprint

bp = Blueprint("excel", __name__)
