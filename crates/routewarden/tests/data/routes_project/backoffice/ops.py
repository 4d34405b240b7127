from flask import Blueprint, abort, session

from .reports import reports

ops = Blueprint("ops", __name__, url_prefix="/operations")
ops.register_blueprint(reports, url_prefix="/reports")


@ops.before_request
def require_operator():
    if "operator_id" not in session:
        abort(401)


@ops.post("/restart")
def restart():
    return "", 204
