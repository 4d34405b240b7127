"""CSV exports for the accounting spreadsheet: the signed-in user's invoices."""

import csv
import io
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import Invoice
from ..security import CurrentUser

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/exports", tags=["exports"])


@router.get("/invoices.csv")
def export_invoices(
    user: CurrentUser, db: Annotated[Session, Depends(get_db)]
) -> StreamingResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["number", "customer", "amount", "due_date", "paid"])
    query = select(Invoice).where(Invoice.owner_id == user.id).order_by(Invoice.number)
    try:
        for invoice in db.scalars(query):
            writer.writerow(
                [invoice.number, invoice.customer, invoice.amount, invoice.due_date, invoice.paid]
            )
    except SQLAlchemyError:
        # The details go to the log; the client gets a generic message.
        logger.exception("invoice export failed for user %s", user.id)
        raise HTTPException(status_code=500, detail="Export failed") from None
    buffer.seek(0)
    return StreamingResponse(buffer, media_type="text/csv")
