"""The support widget: a signed-in user's open tickets, shown on every page of the portal.

Customers' sites link to the portal instead of embedding the widget, so its requests are
same-origin: no CORS headers are needed, and CSRFProtect checks the X-CSRFToken header of
each post."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user, login_required

from .extensions import db
from .models import Ticket

bp = Blueprint("widget", __name__, url_prefix="/widget")


@bp.get("/tickets")
@login_required
def my_tickets():
    query = db.select(Ticket).filter_by(author_id=current_user.id, status="open")
    tickets = db.session.scalars(query.order_by(Ticket.created_at.desc()).limit(5))
    return jsonify([{"id": t.id, "title": t.title, "status": t.status} for t in tickets])


@bp.post("/tickets")
@login_required
def open_ticket():
    data = request.get_json(silent=True) or {}
    title, body = data.get("title"), data.get("body")
    if not isinstance(title, str) or not isinstance(body, str) or not title.strip():
        abort(400)
    ticket = Ticket(title=title.strip()[:200], body=body, author_id=current_user.id)
    db.session.add(ticket)
    db.session.commit()
    return jsonify({"id": ticket.id}), 201
