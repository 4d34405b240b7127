"""Endpoints for the operations team's dashboards and the payment provider."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import get_settings
from ..database import get_db
from ..models import Invoice, User
from ..security import payment_signature_is_valid

router = APIRouter(tags=["internal"])


class PaymentEvent(BaseModel):
    invoice_id: int
    status: str


@router.get("/internal/stats")
def stats(
    x_api_key: Annotated[str, Header()], db: Annotated[Session, Depends(get_db)]
) -> dict[str, int]:
    expected = get_settings().ops_dashboard_api_key.get_secret_value()
    if not secrets.compare_digest(x_api_key, expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Forbidden")
    return {
        "users": db.scalar(select(func.count(User.id))) or 0,
        "open_invoices": db.scalar(
            select(func.count(Invoice.id)).where(Invoice.paid.is_(False))
        )
        or 0,
    }


@router.post("/webhooks/payments", status_code=status.HTTP_204_NO_CONTENT)
async def payment_webhook(
    request: Request,
    x_signature: Annotated[str, Header()],
    db: Annotated[Session, Depends(get_db)],
) -> None:
    # The signature covers the raw bytes, so the body is read before it is parsed.
    payload = await request.body()  # routewarden: ignore[VAL001] HMAC needs the raw body
    if not payment_signature_is_valid(payload, x_signature):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Bad signature")
    event = PaymentEvent.model_validate_json(payload)
    invoice = db.get(Invoice, event.invoice_id)
    if invoice is not None and event.status == "succeeded":
        invoice.paid = True
        db.commit()
