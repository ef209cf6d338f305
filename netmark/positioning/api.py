"""Positioning API: products, audiences, messages."""

from ninja import Router, Status
from ninja.pagination import paginate

from netmark.core.apitools import body, given
from netmark.core.apitypes import ErrorOut, Id, responses
from netmark.core.pagination import Page
from netmark.core.scoping import get_for
from netmark.positioning import services
from netmark.positioning.models import Audience, Message, Product
from netmark.positioning.schemas import (
    AudienceIn,
    AudienceOut,
    AudiencePatch,
    MessageIn,
    MessageOut,
    MessagePatch,
    ProductIn,
    ProductOut,
    ProductPatch,
)

router = Router(tags=["positioning"])
CONFLICT = {409: ErrorOut}


@router.get("/products", response=responses({200: list[ProductOut]}))
@paginate(Page)
def list_products(request, status: str | None = None, search: str | None = None):
    return services.list_products(request.member.workspace, status=status, search=search)


@router.post("/products", response=responses({201: ProductOut, **CONFLICT}))
def create_product(request, payload: ProductIn):
    return Status(201, services.create_product(request.member, **body(payload)))


@router.get("/products/{product_id}", response=responses({200: ProductOut}))
def get_product(request, product_id: int):
    return get_for(Product, request.member.workspace, product_id)


@router.patch("/products/{product_id}", response=responses({200: ProductOut, **CONFLICT}))
def update_product(request, product_id: int, payload: ProductPatch):
    return services.update_product(request.member, product_id, **given(payload))


@router.delete("/products/{product_id}", response=responses({204: None, **CONFLICT}))
def delete_product(request, product_id: int):
    services.delete_product(request.member, product_id)
    return Status(204, None)


@router.get("/audiences", response=responses({200: list[AudienceOut]}))
@paginate(Page)
def list_audiences(request, search: str | None = None):
    return services.list_audiences(request.member.workspace, search=search)


@router.post("/audiences", response=responses({201: AudienceOut, **CONFLICT}))
def create_audience(request, payload: AudienceIn):
    return Status(201, services.create_audience(request.member, **body(payload)))


@router.get("/audiences/{audience_id}", response=responses({200: AudienceOut}))
def get_audience(request, audience_id: int):
    return get_for(Audience, request.member.workspace, audience_id)


@router.patch("/audiences/{audience_id}", response=responses({200: AudienceOut, **CONFLICT}))
def update_audience(request, audience_id: int, payload: AudiencePatch):
    return services.update_audience(request.member, audience_id, **given(payload))


@router.delete("/audiences/{audience_id}", response=responses({204: None, **CONFLICT}))
def delete_audience(request, audience_id: int):
    services.delete_audience(request.member, audience_id)
    return Status(204, None)


@router.get("/messages", response=responses({200: list[MessageOut]}))
@paginate(Page)
def list_messages(request, audience_id: Id | None = None, product_id: Id | None = None):
    return services.list_messages(request.member.workspace, audience_id=audience_id, product_id=product_id)


@router.post("/messages", response=responses({201: MessageOut, **CONFLICT}))
def create_message(request, payload: MessageIn):
    return Status(201, services.create_message(request.member, **body(payload)))


@router.get("/messages/{message_id}", response=responses({200: MessageOut}))
def get_message(request, message_id: int):
    return get_for(Message, request.member.workspace, message_id)


@router.patch("/messages/{message_id}", response=responses({200: MessageOut, **CONFLICT}))
def update_message(request, message_id: int, payload: MessagePatch):
    return services.update_message(request.member, message_id, **given(payload))


@router.delete("/messages/{message_id}", response=responses({204: None, **CONFLICT}))
def delete_message(request, message_id: int):
    services.delete_message(request.member, message_id)
    return Status(204, None)
