"""Entry point: `gunicorn wsgi:app`, or `python wsgi.py` on a server."""

import os

from werkzeug.debug import DebuggedApplication

from helpdesk import create_app

app = create_app()

if os.environ.get("HELPDESK_TRACEBACKS"):
    # Kept from a staging investigation: show the in-browser debugger on errors.
    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)  # expect: DEBUG002

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000, debug=True)  # expect: DEBUG001
