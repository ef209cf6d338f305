"""A lean WSGI application for the ingestion paths, in front of Django (``netmark/wsgi.py``).

The hot path needs none of Django's middleware (sessions, CSRF, locale, messages): skipping the
request machinery is what lets two cores take thousands of events a second. The logic is the same
``ingest.handle`` the Django views call.
"""

from netmark.analytics import ingest

PATHS = {"/api/event": "plausible", "/api/send": "umami"}
STATUS = {
    202: "202 Accepted",
    204: "204 No Content",
    400: "400 Bad Request",
    405: "405 Method Not Allowed",
    413: "413 Payload Too Large",
    429: "429 Too Many Requests",
    503: "503 Service Unavailable",
}


def _read_body(environ) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > ingest.MAX_BODY:
        return None
    stream = environ["wsgi.input"]
    return stream.read(length) if length > 0 else stream.read(ingest.MAX_BODY + 1)


def wrap(django_app):
    def application(environ, start_response):
        protocol = PATHS.get(environ.get("PATH_INFO", ""))
        if protocol is None:
            return django_app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "OPTIONS":
            answer = ingest.preflight()
        elif method != "POST":
            answer = ingest.method_not_allowed()
        else:
            body = _read_body(environ)
            answer = ingest.handle(
                protocol, body if body is not None else b"x" * (ingest.MAX_BODY + 1), environ
            )
        headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
        start_response(STATUS.get(answer.status, f"{answer.status} Error"), headers)
        return [answer.body]

    return application
