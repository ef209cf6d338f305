"""resolve_promotion and UTM mappings: raw values to a promotion, explicitly, never by guessing."""

import pytest

from netmark.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from netmark.core.roles import Role
from netmark.core.scoping import scoped
from netmark.links import services
from netmark.links.models import UtmMapping
from netmark.links.tests.factories import make_link
from netmark.planning.models import ChannelAccount, Plan
from netmark.planning.tests.factories import make_channel, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def summer(team_a):
    return make_plan(team_a.owner, name="夏季冷泡茶 Cold brew", utm_campaign="cold-brew")


def resolve(team, source="", medium="", campaign=""):
    return services.resolve_promotion(team.workspace.pk, source, medium, campaign)


def test_a_link_made_by_netmark_resolves_its_exact_triple_in_any_case(team_a, plan, weibo, link):
    assert resolve(team_a, "weibo", "social", "spring-launch") == (plan.pk, weibo.pk)
    assert resolve(team_a, " Weibo ", "SOCIAL", "Spring-Launch") == (plan.pk, weibo.pk)
    assert resolve(team_a, "weibo", "social", "") == (None, None)
    assert resolve(team_a, "weibo", "cpc", "spring-launch") == (None, None)


def test_links_of_one_plan_on_two_channels_give_the_plan_without_a_channel(team_a, plan, weibo, link):
    other = make_channel(team_a.owner, name="第二个微博", channel_type="weibo")
    make_link(team_a.owner, plan, other, destination="https://yunling-tea.example/b")
    assert resolve(team_a, "weibo", "social", "spring-launch") == (plan.pk, None)


def test_the_most_specific_mapping_wins(team_a, plan, summer, weibo, fair):
    services.create_mapping(team_a.owner, plan_id=plan.pk, utm_source="Baidu")
    services.create_mapping(
        team_a.owner, plan_id=summer.pk, utm_campaign="cold-brew", channel_account_id=fair.pk
    )
    services.create_mapping(
        team_a.owner,
        plan_id=plan.pk,
        utm_source="baidu",
        utm_campaign="cold-brew",
        channel_account_id=weibo.pk,
    )
    assert resolve(team_a, "baidu", "cpc", "anything") == (plan.pk, None)
    assert resolve(team_a, "zhihu", "social", "cold-brew") == (summer.pk, fair.pk)
    assert resolve(team_a, "BAIDU", "cpc", "Cold-Brew") == (plan.pk, weibo.pk)
    assert resolve(team_a, "douban", "social", "other") == (None, None)


def test_on_equal_specificity_campaign_beats_source_beats_medium(team_a, plan, summer, weibo):
    services.create_mapping(team_a.owner, plan_id=plan.pk, utm_medium="social")
    services.create_mapping(team_a.owner, plan_id=summer.pk, utm_source="wechat")
    assert resolve(team_a, "wechat", "social", "") == (summer.pk, None)
    services.create_mapping(team_a.owner, plan_id=plan.pk, utm_campaign="zhongqiu")
    assert resolve(team_a, "wechat", "social", "zhongqiu") == (plan.pk, None)


def test_links_come_before_mappings(team_a, plan, summer, weibo, link):
    services.create_mapping(
        team_a.owner, plan_id=summer.pk, utm_source="weibo", utm_medium="social", utm_campaign="spring-launch"
    )
    assert resolve(team_a, "weibo", "social", "spring-launch") == (plan.pk, weibo.pk)


def test_raw_values_keep_any_characters_and_match_trimmed_and_lower_cased(team_a, plan):
    mapping = services.create_mapping(
        team_a.owner, plan_id=plan.pk, utm_source=" 微信 Moments ", utm_campaign="双十一"
    )
    assert (mapping.utm_source, mapping.utm_campaign) == ("微信 moments", "双十一")
    assert resolve(team_a, "微信 MOMENTS", "", "双十一") == (plan.pk, None)


def test_unknown_values_resolve_to_nothing_and_create_nothing(team_a, plan, weibo, link):
    before = (scoped(Plan, team_a.workspace).count(), scoped(ChannelAccount, team_a.workspace).count())
    assert resolve(team_a, "tiktok", "video", "brand-new") == (None, None)
    assert resolve(team_a) == (None, None)
    after = (scoped(Plan, team_a.workspace).count(), scoped(ChannelAccount, team_a.workspace).count())
    assert after == before
    assert not scoped(UtmMapping, team_a.workspace).exists()


def test_another_workspaces_links_and_mappings_never_resolve(team_a, team_b, plan, link):
    services.create_mapping(team_a.owner, plan_id=plan.pk, utm_source="baidu")
    assert resolve(team_b, "weibo", "social", "spring-launch") == (None, None)
    assert resolve(team_b, "baidu") == (None, None)


def test_a_mapping_needs_at_least_one_value_and_a_triple_appears_once(team_a, plan, summer):
    with pytest.raises(ValidationFailed) as caught:
        services.create_mapping(team_a.owner, plan_id=plan.pk, utm_source="  ")
    assert set(caught.value.fields) == {"__all__"}
    services.create_mapping(team_a.owner, plan_id=plan.pk, utm_source="baidu")
    with pytest.raises(Conflict):
        services.create_mapping(team_a.owner, plan_id=summer.pk, utm_source="Baidu")


def test_mapping_updates_and_deletes_follow_the_role_table(team_a, plan, summer, weibo):
    mapping = services.create_mapping(team_a.member(Role.IMPLEMENTER), plan_id=plan.pk, utm_source="baidu")
    updated = services.update_mapping(
        team_a.member(Role.IMPLEMENTER), mapping.pk, plan_id=summer.pk, channel_account_id=weibo.pk
    )
    assert (updated.plan_id, updated.channel_account_id) == (summer.pk, weibo.pk)
    with pytest.raises(ValidationFailed):
        services.update_mapping(team_a.owner, mapping.pk, utm_source="")
    with pytest.raises(PermissionDenied):
        services.create_mapping(team_a.member(Role.VIEWER), plan_id=plan.pk, utm_source="x")
    with pytest.raises(PermissionDenied):
        services.delete_mapping(team_a.member(Role.IMPLEMENTER), mapping.pk)
    services.delete_mapping(team_a.owner, mapping.pk)
    assert not scoped(UtmMapping, team_a.workspace).exists()


def test_mappings_refuse_another_workspaces_plan_and_channel(team_a, team_b, plan):
    with pytest.raises(NotFound):
        services.create_mapping(team_a.owner, plan_id=make_plan(team_b.owner).pk, utm_source="x")
    with pytest.raises(NotFound):
        services.create_mapping(
            team_a.owner, plan_id=plan.pk, utm_source="x", channel_account_id=make_channel(team_b.owner).pk
        )
    assert not scoped(UtmMapping, team_a.workspace).exists()
