"""The left navigation: a registry that apps fill from ``AppConfig.ready()``.

An entry names a URL (``"positioning:product_list"``), the capability needed to see it and a sort
order; entries with the same ``group`` label are shown together under that heading. The
navigation shows only what the member may use and what resolves: an app whose pages are not
mounted simply does not appear.

    register_nav("planning.plans", _("Plans"), "planning:plan_list", Capability.READ, 40)
    register_nav("positioning.products", _("Products"), "positioning:product_list",
                 Capability.READ, 21, group=_("Positioning"))

URL names are reversed with the workspace slug (``kwargs={"slug": ...}``) and, failing that,
without arguments (installation-level pages).
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from netmark.core.roles import Capability, can


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    capability: Capability
    order: int
    group: str | None = None


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str
    active: bool


@dataclass
class NavGroup:
    label: str | None
    links: list[NavLink]


_registry: dict[str, NavEntry] = {}


def register_nav(
    key: str,
    label,
    url_name: str,
    capability: Capability = Capability.READ,
    order: int = 100,
    *,
    group=None,
) -> NavEntry:
    """Adds one entry. Registering the same key again with the same values is a no-op."""
    if not key or not isinstance(key, str):
        raise ValueError("a navigation entry needs a key")
    if not label:
        raise ValueError(f"navigation entry {key!r} needs a label")
    if not isinstance(capability, Capability):
        raise ValueError(f"navigation entry {key!r}: capability must be a Capability, not {capability!r}")
    if not isinstance(url_name, str) or not url_name:
        raise ValueError(f"navigation entry {key!r} needs a URL name")
    entry = NavEntry(key, label, url_name, capability, int(order), group)
    existing = _registry.get(key)
    if existing is not None and existing != entry:
        raise ValueError(f"navigation entry {key!r} is already registered differently")
    _registry[key] = entry
    return entry


def registered() -> list[NavEntry]:
    return sorted(_registry.values(), key=lambda entry: (entry.order, entry.key))


def _url_for(entry: NavEntry, slug: str) -> str | None:
    try:
        return reverse(entry.url_name, kwargs={"slug": slug})
    except NoReverseMatch:
        pass
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:
        return None


def _is_active(url: str, path: str, dashboard_url: str) -> bool:
    if url == dashboard_url:
        return path == url
    return path == url or path.startswith(url.rstrip("/") + "/")


def build(member, path: str) -> list[NavGroup]:
    """The groups and links ``member`` may see, in order; the current page's link is active."""
    if member is None or member.pk is None:
        return []
    slug = member.workspace.slug
    dashboard_url = f"/w/{slug}/"
    groups: list[NavGroup] = []
    by_label: dict[str | None, NavGroup] = {}
    for entry in registered():
        if not can(member, entry.capability):
            continue
        url = _url_for(entry, slug)
        if url is None:
            continue
        label = str(entry.group) if entry.group else None
        group = by_label.get(label)
        if group is None:
            group = by_label[label] = NavGroup(label, [])
            groups.append(group)
        group.links.append(NavLink(entry.key, str(entry.label), url, _is_active(url, path, dashboard_url)))
    return groups
