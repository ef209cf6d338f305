"""Link services: defaults, conventions, duplicates, codes, updates and the role table."""

import pytest

from netmark.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from netmark.core.models import AuditEntry
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links import codes, services
from netmark.links.models import Link
from netmark.links.tests.factories import DESTINATION, make_link
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db


def test_link_takes_source_and_medium_from_the_channel_and_campaign_from_the_plan(team_a, link):
    assert (link.utm_source, link.utm_medium, link.utm_campaign) == ("weibo", "social", "spring-launch")
    assert (link.utm_content, link.utm_term) == ("", "")
    assert link.destination == DESTINATION
    assert link.target_url == (
        "https://yunling-tea.example/zh/spring?ref=home&utm_source=weibo&utm_medium=social"
        "&utm_campaign=spring-launch#buy"
    )
    assert (
        scoped(AuditEntry, team_a.workspace).filter(action="link.created", object_id=str(link.pk)).count()
        == 1
    )


def test_offline_channel_links_are_offline_by_default(team_a, plan, fair):
    link = make_link(team_a.owner, plan, fair, name="展台海报")
    assert (link.utm_source, link.utm_medium) == ("offline", "offline")


def test_plan_without_utm_campaign_gives_a_slug_of_its_name_or_its_id(team_a, weibo):
    named = make_plan(team_a.owner, name="Mid-Autumn Gift Box 中秋")
    chinese = make_plan(team_a.owner, name="中秋礼盒")
    assert make_link(team_a.owner, named, weibo).utm_campaign == "mid-autumn-gift-box"
    assert make_link(team_a.owner, chinese, weibo).utm_campaign == f"plan-{chinese.pk}"


def test_a_plan_campaign_in_chinese_must_be_replaced_on_the_link(team_a, weibo):
    plan = make_plan(team_a.owner, name="双十一", utm_campaign="双十一")
    with pytest.raises(ValidationFailed) as caught:
        make_link(team_a.owner, plan, weibo)
    assert "“双十一” cannot be used in a URL" in caught.value.fields["utm_campaign"]
    assert make_link(team_a.owner, plan, weibo, utm_campaign="shuang11").utm_campaign == "shuang11"


def test_given_values_are_normalised_to_the_workspace_separator(team_a, plan, weibo):
    services.update_conventions(team_a.owner, separator="_")
    link = make_link(team_a.owner, plan, weibo, utm_campaign="Spring Launch-2026", utm_content="Poster A")
    assert (link.utm_campaign, link.utm_content) == ("spring_launch_2026", "poster_a")


def test_allowed_mediums_are_enforced_when_the_workspace_sets_them(team_a, plan, weibo, fair):
    conventions = services.update_conventions(
        team_a.owner, allowed_mediums=["CPC", "Social", " social ", "-"]
    )
    assert conventions.allowed_mediums == ["cpc", "social"]
    assert make_link(team_a.owner, plan, weibo).utm_medium == "social"
    with pytest.raises(ValidationFailed) as caught:
        make_link(team_a.owner, plan, fair)
    assert caught.value.fields == {
        "utm_medium": "The workspace's conventions allow these mediums: cpc, social."
    }


def test_a_new_separator_re_spells_the_allowed_mediums(team_a):
    services.update_conventions(team_a.owner, allowed_mediums=["paid social", "cpc"])
    conventions = services.update_conventions(team_a.owner, separator="_")
    assert conventions.allowed_mediums == ["paid_social", "cpc"]


def test_only_planners_and_owners_set_conventions(team_a):
    with pytest.raises(PermissionDenied):
        services.update_conventions(team_a.member(Role.IMPLEMENTER), separator="_")
    with pytest.raises(ValidationFailed):
        services.update_conventions(team_a.owner, separator="+")
    assert services.get_conventions(team_a.workspace).separator == "-"


def test_same_destination_and_utm_five_is_a_conflict_naming_the_link(team_a, plan, weibo, link):
    with pytest.raises(Conflict) as caught:
        make_link(team_a.owner, plan, weibo, utm_campaign="Spring Launch")
    assert link.code in caught.value.message
    other = make_link(team_a.owner, plan, weibo, utm_content="banner")
    assert other.code != link.code
    assert scoped(Link, team_a.workspace).count() == 2


def test_a_utm_triple_names_one_promotion_only(team_a, weibo, link):
    other_plan = make_plan(team_a.owner, name="夏季新品", utm_campaign="spring-launch")
    with pytest.raises(Conflict) as caught:
        make_link(team_a.owner, other_plan, weibo, destination="https://yunling-tea.example/summer")
    assert "春茶上新 Spring launch" in caught.value.fields["utm_campaign"]


def test_codes_are_random_base62_and_unique(team_a, plan, weibo):
    links = [make_link(team_a.owner, plan, weibo, utm_content=f"v{index}") for index in range(20)]
    found = [link.code for link in links]
    assert len(set(found)) == 20
    assert all(codes.looks_like_code(code) and len(code) == codes.LENGTH for code in found)
    assert [services.resolve_code(code).pk for code in found] == [link.pk for link in links]


def test_codes_differing_only_in_case_are_different_links(team_a, plan, weibo):
    first, second = (make_link(team_a.owner, plan, weibo, utm_content=name) for name in ("upper", "lower"))
    Link.unscoped.filter(pk=first.pk).update(code="AbCdEf12")
    Link.unscoped.filter(pk=second.pk).update(code="aBcDeF12")
    assert services.resolve_code("AbCdEf12").pk == first.pk
    assert services.resolve_code("aBcDeF12").pk == second.pk
    assert services.resolve_code("abcdef12") is None


def test_a_code_already_taken_is_drawn_again(team_a, plan, weibo, link, monkeypatch):
    drawn = iter([link.code, link.code, "Fresh0Code"])
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn))
    assert make_link(team_a.owner, plan, weibo, utm_term="retry").code == "Fresh0Code"


def test_update_recomputes_the_tagged_url_and_keeps_the_code(team_a, link):
    updated = services.update_link(
        team_a.member(Role.IMPLEMENTER),
        link.pk,
        destination="https://yunling-tea.example/new",
        utm_term="Tea Gift",
    )
    assert updated.code == link.code
    assert updated.target_url == (
        "https://yunling-tea.example/new?utm_source=weibo&utm_medium=social&utm_campaign=spring-launch&utm_term=tea-gift"
    )
    entry = scoped(AuditEntry, team_a.workspace).get(action="link.updated")
    assert entry.changes["utm_term"] == ["", "tea-gift"]


def test_existing_links_keep_their_values_when_the_conventions_change(team_a, link):
    services.update_conventions(team_a.owner, separator="_")
    renamed = services.update_link(team_a.owner, link.pk, name="改名", utm_term="tea gift")
    assert (renamed.utm_campaign, renamed.utm_term) == ("spring-launch", "tea_gift")
    assert "utm_campaign=spring-launch" in renamed.target_url


def test_plan_and_channel_cannot_change(team_a, link):
    with pytest.raises(ValidationFailed) as caught:
        services.update_link(team_a.owner, link.pk, plan_id=link.plan_id)
    assert set(caught.value.fields) == {"plan_id"}


def test_implementers_write_links_viewers_do_not_and_only_owners_delete(team_a, plan, weibo, link):
    implementer, viewer = team_a.member(Role.IMPLEMENTER), team_a.member(Role.VIEWER)
    assert make_link(implementer, plan, weibo, utm_content="impl").pk
    with pytest.raises(PermissionDenied):
        make_link(viewer, plan, weibo, utm_content="viewer")
    with pytest.raises(PermissionDenied):
        services.update_link(viewer, link.pk, name="改")
    with pytest.raises(PermissionDenied):
        services.delete_link(implementer, link.pk)
    services.delete_link(team_a.owner, link.pk)
    assert list(scoped(Link, team_a.workspace).values_list("utm_content", flat=True)) == ["impl"]


def test_another_workspaces_plan_channel_or_link_is_not_found(team_a, team_b, plan, weibo, link):
    foreign_plan = make_plan(team_b.owner)
    foreign_channel = make_channel(team_b.owner)
    with pytest.raises(NotFound):
        make_link(team_a.owner, foreign_plan, weibo)
    with pytest.raises(NotFound):
        make_link(team_a.owner, plan, foreign_channel)
    with pytest.raises(NotFound):
        services.update_link(team_b.owner, link.pk, name="偷改")
    with pytest.raises(NotFound):
        services.delete_link(team_b.owner, link.pk)
    link.refresh_from_db()
    assert link.name == "春茶海报 Spring poster"


def test_inactive_links_and_malformed_codes_do_not_resolve(team_a, link):
    assert services.resolve_code(link.code).pk == link.pk
    services.update_link(team_a.owner, link.pk, is_active=False)
    assert services.resolve_code(link.code) is None
    assert services.resolve_code("abc") is None
    assert services.resolve_code(link.code + "/../x") is None


def test_a_plan_with_links_cannot_be_deleted_while_they_exist(team_a, plan, link):
    from netmark.planning import services as planning

    with pytest.raises(Conflict):
        planning.delete_plan(team_a.owner, plan.pk)
    services.delete_link(team_a.owner, link.pk)
    planning.delete_plan(team_a.owner, plan.pk)
