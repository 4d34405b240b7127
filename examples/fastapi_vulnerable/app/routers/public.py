"""What the embeddable payment widget may read: an invoice's public summary, by its number."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import Invoice

router = APIRouter(tags=["widget"])


class InvoiceSummary(BaseModel):
    number: str
    amount: str
    paid: bool


@router.get("/pay/{number}", response_model=InvoiceSummary)
def invoice_summary(
    number: str, db: Annotated[Session, Depends(get_db)]
) -> InvoiceSummary:
    invoice = db.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown invoice")
    return InvoiceSummary(number=invoice.number, amount=str(invoice.amount), paid=invoice.paid)
