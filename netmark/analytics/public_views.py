"""The public ingestion endpoints as Django views (tests, ``runserver``). In production
``netmark/wsgi.py`` answers the same paths with ``analytics.fastpath`` before Django: same code."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from netmark.analytics import ingest


def _respond(answer: ingest.Answer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    return response


def _endpoint(protocol: str):
    @csrf_exempt
    def view(request):
        if request.method == "OPTIONS":
            return _respond(ingest.preflight())
        if request.method != "POST":
            return _respond(ingest.method_not_allowed())
        return _respond(ingest.handle(protocol, request.body, request.META))

    view.__name__ = f"{protocol}_event"
    return view


plausible_event = _endpoint("plausible")
umami_send = _endpoint("umami")
