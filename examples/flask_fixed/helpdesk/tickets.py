"""Support tickets: every view needs a signed-in user, who sees only their own tickets."""

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from .extensions import db
from .forms import TicketForm
from .models import Ticket

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


def _own_ticket(ticket_id: int) -> Ticket:
    query = db.select(Ticket).filter_by(id=ticket_id, author_id=current_user.id)
    return db.first_or_404(query)


@bp.route("/")
@login_required
def index():
    page = request.args.get("page", 1, type=int)
    query = (
        db.select(Ticket)
        .filter_by(author_id=current_user.id)
        .order_by(Ticket.created_at.desc())
    )
    tickets = db.paginate(
        query, page=page, per_page=current_app.config["TICKETS_PER_PAGE"]
    )
    return render_template("tickets/index.html", tickets=tickets)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = TicketForm()
    if form.validate_on_submit():
        ticket = Ticket(
            title=form.title.data, body=form.body.data, author_id=current_user.id
        )
        db.session.add(ticket)
        db.session.commit()
        return redirect(url_for("tickets.show", ticket_id=ticket.id))
    return render_template("tickets/edit.html", form=form)


@bp.route("/<int:ticket_id>")
@login_required
def show(ticket_id: int):
    return render_template("tickets/show.html", ticket=_own_ticket(ticket_id))


@bp.route("/<int:ticket_id>/close", methods=["POST"])
@login_required
def close(ticket_id: int):
    ticket = _own_ticket(ticket_id)
    ticket.status = "closed"
    db.session.commit()
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


@bp.route("/<int:ticket_id>/reopen", methods=["POST"])
@login_required
def reopen(ticket_id: int):
    ticket = _own_ticket(ticket_id)
    ticket.status = "open"
    db.session.commit()
    return redirect(url_for("tickets.show", ticket_id=ticket.id))


# Linked from the notification e-mails: signing in first redirects back here.
@bp.route("/<int:ticket_id>/attachments/<path:name>")
@login_required
def attachment(ticket_id: int, name: str):
    ticket = _own_ticket(ticket_id)
    folder = current_app.config["ATTACHMENTS_DIR"]
    return send_from_directory(folder, f"{ticket.id}/{name}")
