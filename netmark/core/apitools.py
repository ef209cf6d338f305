"""Small helpers the API routers share."""

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
