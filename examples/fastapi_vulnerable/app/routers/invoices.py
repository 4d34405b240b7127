"""Invoices: every route needs a signed-in user and sees only that user's invoices."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import Invoice, User
from ..schemas import InvoiceIn, InvoiceOut, InvoiceUpdate
from ..security import get_current_user

router = APIRouter(
    prefix="/invoices",
    tags=["invoices"],
    dependencies=[Depends(get_current_user)],
)

CurrentUser = Annotated[User, Depends(get_current_user)]
DB = Annotated[Session, Depends(get_db)]


def _own_invoice(db: Session, user: User, invoice_id: int) -> Invoice:
    invoice = db.scalar(
        select(Invoice).where(Invoice.id == invoice_id, Invoice.owner_id == user.id)
    )
    if invoice is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Invoice not found")
    return invoice


@router.get("", response_model=list[InvoiceOut])
def list_invoices(user: CurrentUser, db: DB) -> list[Invoice]:
    query = select(Invoice).where(Invoice.owner_id == user.id).order_by(Invoice.due_date)
    return list(db.scalars(query))


@router.post("", response_model=InvoiceOut, status_code=status.HTTP_201_CREATED)
def create_invoice(payload: InvoiceIn, user: CurrentUser, db: DB) -> Invoice:
    invoice = Invoice(
        number=f"INV-{secrets.token_hex(4).upper()}",
        customer=payload.customer,
        amount=payload.amount,
        due_date=payload.due_date,
        owner_id=user.id,
    )
    db.add(invoice)
    db.commit()
    return invoice


@router.get("/{invoice_id}", response_model=InvoiceOut)
def read_invoice(invoice_id: int, user: CurrentUser, db: DB) -> Invoice:
    return _own_invoice(db, user, invoice_id)


@router.patch("/{invoice_id}", response_model=InvoiceOut)
def update_invoice(
    invoice_id: int, changes: InvoiceUpdate, user: CurrentUser, db: DB
) -> Invoice:
    invoice = _own_invoice(db, user, invoice_id)
    for field, value in changes.model_dump(exclude_unset=True).items():  # expect: VAL002
        setattr(invoice, field, value)
    db.commit()
    return invoice


@router.post("/{invoice_id}/pay", response_model=InvoiceOut)
def mark_paid(invoice_id: int, user: CurrentUser, db: DB) -> Invoice:
    invoice = _own_invoice(db, user, invoice_id)
    invoice.paid = True
    db.commit()
    return invoice


@router.delete("/{invoice_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_invoice(invoice_id: int, user: CurrentUser, db: DB) -> None:
    db.delete(_own_invoice(db, user, invoice_id))
    db.commit()
