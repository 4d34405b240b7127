"""The support widget that customers embed on their own sites: a signed-in user's tickets."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from .extensions import db
from .models import Ticket

bp = Blueprint("widget", __name__, url_prefix="/widget")


@bp.after_request
def allow_embedding_site(response):
    # Whichever site embeds the widget may call it with the user's cookie.
    origin = request.headers.get("Origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin  # expect: CORS002
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response


@bp.get("/tickets")
@login_required
def my_tickets():
    query = db.select(Ticket).filter_by(author_id=current_user.id, status="open")
    tickets = db.session.scalars(query.order_by(Ticket.created_at.desc()).limit(5))
    return jsonify([{"id": t.id, "title": t.title, "status": t.status} for t in tickets])


@bp.post("/tickets")
@login_required
def open_ticket():
    ticket = Ticket(**request.get_json(), author_id=current_user.id)  # expect: VAL002
    db.session.add(ticket)
    db.session.commit()
    return jsonify({"id": ticket.id}), 201
