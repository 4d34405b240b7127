"""The old Flask back-office, mounted under /legacy until its pages are ported to the API."""

from flask import Flask, abort, flash, redirect, render_template_string, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select

from .config import get_settings
from .database import SessionLocal
from .models import Invoice, User
from .security import verify_password

legacy_app = Flask(__name__)
legacy_app.config["SECRET_KEY"] = get_settings().legacy_session_secret.get_secret_value()
CSRFProtect(legacy_app)

PAGE = """
{% for message in get_flashed_messages() %}<p>{{ message }}</p>{% endfor %}
<form method="post">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input name="number"><button>Mark paid</button>
</form>
<ul>{% for number in recent %}<li>{{ number }}</li>{% endfor %}</ul>
"""


@legacy_app.before_request
def require_staff():
    credentials = request.authorization
    if credentials is None:
        abort(401)
    with SessionLocal() as db:
        user = db.scalar(select(User).where(User.email == credentials.username))
        if user is None or not verify_password(credentials.password, user.hashed_password):
            abort(401)
        if not user.is_superuser:
            abort(403)


@legacy_app.route("/invoices", methods=["GET", "POST"])
def invoices():
    if request.method == "POST":
        number = request.form["number"]
        with SessionLocal() as db:
            invoice = db.scalar(select(Invoice).where(Invoice.number == number))
            if invoice is not None:
                invoice.paid = True
                db.commit()
        session["recent"] = [number, *session.get("recent", [])][:10]
        flash(f"Invoice {number} marked as paid")
        return redirect(url_for("invoices"))
    return render_template_string(PAGE, recent=session.get("recent", []))
