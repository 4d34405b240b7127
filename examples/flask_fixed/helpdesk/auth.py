"""Sign-up, e-mail confirmation, sign-in and sign-out."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required, login_user, logout_user

from .extensions import db, limiter
from .forms import LoginForm, RegisterForm
from .models import User
from .tokens import confirmation_token, confirmed_email

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10/hour")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        if db.session.scalar(db.select(User).filter_by(email=form.email.data)):
            flash("That e-mail address is already registered.")
            return render_template("auth/register.html", form=form), 409
        user = User(email=form.email.data, name=form.name.data)
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.commit()
        token = confirmation_token(user.email)
        # A real deployment e-mails this link; the log stands in for the mailer here.
        print(url_for("auth.confirm", token=token, _external=True))
        flash("Check your e-mail to confirm your address.")
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/confirm/<token>")
def confirm(token: str):
    email = confirmed_email(token)
    if email is None:
        abort(400)
    user = db.first_or_404(db.select(User).filter_by(email=email))
    user.confirmed = True
    db.session.commit()
    flash("Address confirmed; you can sign in.")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).filter_by(email=form.email.data))
        if user is not None and user.confirmed and user.check_password(form.password.data):
            # The templates read the role from current_user, loaded from the database.
            login_user(user)
            return redirect(url_for("tickets.index"))
        flash("Invalid e-mail or password.")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
