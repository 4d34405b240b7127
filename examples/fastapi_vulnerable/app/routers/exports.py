"""CSV exports for the accounting spreadsheet."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import Invoice

router = APIRouter(prefix="/exports", tags=["exports"])


@router.get("/invoices.csv")  # expect: AUTH001
def export_invoices(db: Annotated[Session, Depends(get_db)]) -> StreamingResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["number", "customer", "amount", "due_date", "paid"])
    try:
        for invoice in db.scalars(select(Invoice).order_by(Invoice.number)):
            writer.writerow(
                [invoice.number, invoice.customer, invoice.amount, invoice.due_date, invoice.paid]
            )
    except Exception as exc:
        raise HTTPException(status_code=500, detail=f"Export failed: {exc}")  # expect: ERR001
    buffer.seek(0)
    return StreamingResponse(buffer, media_type="text/csv")
