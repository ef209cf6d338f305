"""Public capture pages (no sign-in): the hosted form ``/f/<public id>/``, its iframe version
``/f/<public id>/frame/``, the script embed ``/f/<public id>/embed.js``, the submit endpoint
``/f/<public id>/submit`` (form-encoded or JSON; CORS for it only) and landing pages
``/p/<workspace slug>/<page slug>/`` with their uploaded image ``…/image/<file name>``. Unknown
and inactive ids answer the same plain 404.
"""

import json

from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from netmark.analytics.identity import client_ip
from netmark.capture import page_images, public, submissions
from netmark.core.errors import NetmarkError, NotFound, RateLimited

MAX_BODY = 64 * 1024
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


def image_response(path, content_type: str, *, cache: str) -> FileResponse:
    """A checked image file: the Content-Type of its checked format, never sniffed, never a document."""
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = f'inline; filename="image.{path.suffix.lstrip(".")}"'
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = cache
    return response


def _visitor(request) -> tuple[str, str]:
    return client_ip(request.META), request.META.get("HTTP_USER_AGENT", "")[:1024]


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found() -> HttpResponse:
    return _private(HttpResponse("Not found.", status=404, content_type="text/plain; charset=utf-8"))


def _csp_add(response: HttpResponse, directive: str, origin: str) -> None:
    if origin:
        update = getattr(response, "_csp_update", None) or {}
        update[directive] = [*update.get(directive, []), origin]
        response._csp_update = update


def _allow_redirect(response: HttpResponse, form) -> HttpResponse:
    """A form that redirects away needs the destination in ``form-action`` (browsers check redirects)."""
    if form is not None:
        _csp_add(response, "form-action", public.origin_of(form.redirect_url))
    return response


def _allow_framing(response: HttpResponse) -> HttpResponse:
    """Only the framed form itself may be framed (anywhere); its 404 keeps DENY like every page."""
    response._csp_replace = {"frame-ancestors": ["*"]}
    response.xframe_options_exempt = True
    return response


def _form_page(request, form, *, framed: bool, status: int = 200, data=None, errors=None, message: str = ""):
    ip, agent = _visitor(request)
    context = public.form_context(form, ip=ip, user_agent=agent, data=data, errors=errors)
    context.update({"framed": framed, "message": message})
    with translation.override(form.language):
        response = render(request, "capture/public_form.html", context, status=status)
    if framed:
        _allow_framing(response)
    return _allow_redirect(_private(response), form)


@require_safe
def hosted_form(request, public_id: str):
    try:
        form = submissions.get_public_form(public_id)
    except NotFound:
        return _not_found()
    return _form_page(request, form, framed=False)


@require_safe
def framed_form(request, public_id: str):
    try:
        form = submissions.get_public_form(public_id)
    except NotFound:
        return _not_found()
    return _form_page(request, form, framed=True)


@require_safe
def embed_script(request, public_id: str):
    """The script embed: the form as JSON inside a small renderer (text nodes only, no innerHTML)."""
    try:
        form = submissions.get_public_form(public_id)
    except NotFound:
        return _private(HttpResponse("/* not found */", status=404, content_type="text/javascript"))
    ip, agent = _visitor(request)
    data = json.dumps(public.form_json(form, ip=ip, user_agent=agent), ensure_ascii=True)
    # ensure_ascii plus escaping "<" keeps a "</script>" in a label from meaning anything anywhere.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script = render_to_string("capture/embed.js", {"form_json": data})
    return _private(HttpResponse(script, content_type="text/javascript; charset=utf-8"))


def _wants_json(request) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _parse(request):
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise NetmarkError("Send a JSON object.") from None
        if not isinstance(data, dict):
            raise NetmarkError("Send a JSON object.")
        return data
    return request.POST


def _json_answer(status: int, body: dict, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in CORS.items():
        response[name] = value
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return _private(response)


def _error(request, form, exc: NetmarkError, data):
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
    if form is None or _wants_json(request):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        return _json_answer(exc.status, body, retry_after)
    values = {key: data.get(key) for key in data} if data is not None else {}
    page = public.landing_page_for(form, values.get("_landing"))
    if page is not None:
        response = _landing_response(
            request, page, status=exc.status, data=values, errors=exc.fields, message=exc.message
        )
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
    response = _form_page(
        request,
        form,
        framed=request.GET.get("framed") == "1",
        status=exc.status,
        data=values,
        errors=exc.fields,
        message=exc.message,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _success(request, form, outcome: submissions.Outcome):
    if _wants_json(request):
        return _json_answer(
            200, {"ok": True, "message": outcome.message, "redirect_url": outcome.redirect_url}
        )
    if outcome.redirect_url:
        return _private(HttpResponseRedirect(outcome.redirect_url, status=303))
    context = {"form": form, "message": outcome.message, "framed": request.GET.get("framed") == "1"}
    with translation.override(form.language):
        response = render(request, "capture/thanks.html", context)
    if context["framed"]:
        _allow_framing(response)
    return _private(response)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def submit(request, public_id: str):
    """Public, cookie-free: the signed render token is the authority; CORS so script embeds can post."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        for name, value in CORS.items():
            response[name] = value
        return response
    form, data = None, None
    try:
        if len(request.body) > MAX_BODY:
            raise NetmarkError("The submission is too large.", code="too_large")
        form = submissions.get_public_form(public_id)
        data = _parse(request)
        ip, agent = _visitor(request)
        outcome = submissions.submit(form, data, ip=ip, user_agent=agent)
    except NetmarkError as exc:
        return _error(request, form, exc, data)
    return _success(request, form, outcome)


@require_safe
def landing_page(request, workspace_slug: str, page_slug: str):
    try:
        page = public.get_published_page(workspace_slug, page_slug)
    except NotFound:
        return _not_found()
    return _landing_response(request, page)


@require_safe
def landing_image(request, workspace_slug: str, page_slug: str, name: str):
    """The image of a published page, by the file name the page holds (an old name answers 404)."""
    try:
        page = public.get_published_page(workspace_slug, page_slug)
        if name != page.image_name:
            raise NotFound()
        found = page_images.image_file(page)
    except NotFound:
        return _not_found()
    response = image_response(*found, cache="public, max-age=3600")
    response["X-Robots-Tag"] = "noindex"
    return response


def _landing_response(request, page, *, status: int = 200, data=None, errors=None, message: str = ""):
    ip, agent = _visitor(request)
    context = public.page_context(page, ip=ip, user_agent=agent, data=data, errors=errors)
    context["message"] = message
    with translation.override(page.language):
        response = render(request, "capture/landing_page.html", context, status=status)
    _csp_add(response, "img-src", public.origin_of(page.image_url))
    response = _allow_redirect(response, page.form)
    response["Cache-Control"] = "no-store"  # the form carries a fresh render token
    return response
