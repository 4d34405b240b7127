from flask import Blueprint
from flask.views import MethodView
from flask_login import login_required

reports = Blueprint("reports", __name__)


class ReportAPI(MethodView):
    decorators = [login_required]

    def get(self, report_id):
        return {"id": report_id}

    def delete(self, report_id):
        return "", 204


reports.add_url_rule("/<int:report_id>", view_func=ReportAPI.as_view("report"))


@reports.get("/latest")
def latest():
    return {}
