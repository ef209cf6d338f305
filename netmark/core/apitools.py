"""Small helpers the API routers share."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Schema


def given(payload: Schema) -> dict:
    """The fields a PATCH body actually set (explicit nulls included), URLs as plain strings."""
    data = payload.model_dump(exclude_unset=True)
    return {
        key: str(value) if type(value).__name__ in {"HttpUrl", "Url"} else value
        for key, value in data.items()
    }


def body(payload: Schema) -> dict:
    """A create body as a dict, with URLs as plain strings and ``None`` URLs as empty strings."""
    data = payload.model_dump()
    for key, value in data.items():
        if type(value).__name__ in {"HttpUrl", "Url"}:
            data[key] = str(value)
        elif value is None and key == "url":
            data[key] = ""
    return data


def binary_answer(media_type: str) -> dict:
    """``openapi_extra`` documenting a 200 answer that is a file rather than JSON."""
    schema = (
        {"type": "string", "format": "binary"} if media_type.startswith("image/png") else {"type": "string"}
    )
    return {"responses": {200: {"content": {media_type: {"schema": schema}}}}}


def file_answer(data: bytes, media_type: str, filename: str) -> HttpResponse:
    """A download: ``data`` as an attachment named ``filename`` (a Chinese name is sent as RFC 6266
    ``filename*``, which browsers save under that name)."""
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
