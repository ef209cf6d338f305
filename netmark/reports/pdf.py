"""WeasyPrint: the report document as PDF, with no network access at all.

WeasyPrint would fetch stylesheets and images named in the HTML; the body holds none (charts are
inline SVG), and the fetcher refuses every URL, so a crafted value can never make the server
connect anywhere. Fonts come from fontconfig: install fonts-noto-cjk (or fonts-wqy-microhei) and
libharfbuzz-subset0 (without it WeasyPrint silently takes seconds a page).
"""

from dataclasses import dataclass


class NoFetching(ValueError):
    pass


def refuse_fetch(url: str, *args, **kwargs):
    raise NoFetching(f"reports never fetch resources: {url[:80]}")


@dataclass
class Pdf:
    data: bytes
    pages: int


def render_pdf(html: str) -> Pdf:
    import weasyprint  # imported here: loading pango takes ~0.3 s, only workers that render pay it

    document = weasyprint.HTML(string=html, url_fetcher=refuse_fetch, base_url=None).render()
    return Pdf(data=document.write_pdf(), pages=len(document.pages))
