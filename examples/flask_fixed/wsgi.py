"""Entry point: `gunicorn wsgi:app` in production; `python wsgi.py` on a developer machine."""

import os

from helpdesk import create_app

app = create_app()

if __name__ == "__main__":
    # Local only: loopback interface, debug only when FLASK_DEBUG=1 is exported.
    app.run(host="127.0.0.1", port=8000, debug=os.environ.get("FLASK_DEBUG") == "1")
