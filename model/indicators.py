"""The indicators recorded every month: fixed names (MODEL.md §5), units, labels and how each is computed.

Files, plots, reports and the dashboard all take names and labels from here. Each
declaration carries its computation (``compute``): a function of the month's reading
``v`` (``model.core.outputs.Reading``: the model's parts as ``v.m``, ``v.tw``, ``v.c``, …
and the masks several indicators share), called once a month after the schedule's last
submodel (``model.core.outputs.indicators``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Indicator", "INDICATORS", "BUDGET_LINES", "Flow", "FLOWS", "SOCIETIES", "indicator_names", "label"]


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    label_zh: str
    label_en: str
    share: bool = False  # a share in [0, 1]
    cumulative: bool = False
    compute: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)  # of the month's reading

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def unit_zh(self) -> str:
        """The unit in Chinese (``model.params.UNITS_ZH``)."""
        from .params import UNITS_ZH

        return UNITS_ZH.get(self.unit, self.unit)


# Budget lines of public spending (each gets spend_<line>_yuan and budget_<line>_yuan).
BUDGET_LINES = {
    "stations": ("社工站运营", "Station operation"),
    "brand": ("一站一品项目", "Brand projects"),
    "allowances": ("持证津贴", "Certificate allowances"),
    "training": ("考前培训", "Exam training"),
    "incubators": ("孵化基地", "Incubation bases"),
    "grants": ("启动资金与公益创投", "Start-up and venture grants"),
    "volunteers": ("志愿服务站点与激励", "Volunteer points and incentives"),
    "charity_match": ("慈善配捐", "Charity matching"),
    "platform": ("数字平台", "Digital platform"),
    "committees": ("党建引领(两委支持)", "Party-building support for committees"),
    "sw_rooms": ("社区社会工作服务室", "Community social-work rooms"),
}

def _share(mask: np.ndarray) -> float:
    """The share of ``mask`` that is true (its mean, counted), 0.0 for an empty mask."""
    return float(np.count_nonzero(mask) / len(mask)) if len(mask) else 0.0


_CORE = [
    Indicator("stations", "stations", "运行中的乡镇(街道)社工站", "Township stations operating",
              compute=lambda v: int(v.tw.has_station.sum())),
    Indicator("station_coverage", "share", "社工站覆盖率", "Station coverage", share=True,
              compute=lambda v: float(v.tw.has_station.mean())),
    Indicator("sw_talent", "persons", "社会工作专业人才", "Social-work professional talent",
              compute=lambda v: int(v.certified + v.sw_uncertified + v.wf.practitioners)),
    Indicator("sw_certified", "persons", "持证社工", "Certified social workers",
              compute=lambda v: v.certified),
    Indicator("sw_stationed", "persons", "驻站社工", "Social workers in stations",
              compute=lambda v: v.n_station),
    Indicator("community_workers", "persons", "社区工作者", "Community workers",
              compute=lambda v: v.n_cw),
    Indicator("community_worker_certified_share", "share", "社区工作者持证比例",
              "Community workers certified (share)", share=True,
              compute=lambda v: float(v.cw_certified / v.n_cw) if v.n_cw else 0.0),
    Indicator("community_orgs", "organisations", "社区社会组织", "Community social organisations",
              compute=lambda v: int(v.c.orgs.sum())),
    Indicator("share_urban_communities_10plus_orgs", "share", "城市社区≥10个组织的比例",
              "Urban communities with ≥10 organisations", share=True,
              compute=lambda v: _share(v.c.orgs[v.urban] >= 10)),
    Indicator("share_rural_communities_5plus_orgs", "share", "农村社区≥5个组织的比例",
              "Rural communities with ≥5 organisations", share=True,
              compute=lambda v: _share(v.c.orgs[v.rural] >= 5)),
    # the 47号's units (model/targets.py INDICATOR_UNITS): 设区的市, and 县(市) without districts;
    # NaN where the region holds none (one county has no 设区的市)
    Indicator("incubator_city_coverage", "share", "市级孵化基地覆盖率", "Cities with an incubation base", share=True,
              compute=lambda v: float(v.org.city_base[v.city].mean()) if v.city.any() else float('nan')),
    Indicator("incubator_county_coverage", "share", "县级孵化基地覆盖率", "Counties with an incubation base",
              share=True,
              compute=lambda v: float(v.org.county_base[v.county].mean()) if v.county.any() else float('nan')),
    Indicator("volunteers_registered", "persons", "注册志愿者", "Registered volunteers",
              compute=lambda v: int(v.c.volunteers_registered.sum())),
    Indicator("volunteers_active", "persons", "本月活跃志愿者", "Volunteers active this month",
              compute=lambda v: int(v.c.volunteers_active.sum())),
    Indicator("volunteer_point_coverage", "share", "志愿服务站点覆盖率", "Facilities with a volunteer point",
              share=True,
              compute=lambda v: float(np.count_nonzero(v.c.has_volunteer_point & v.c.facility) / v.facilities) if v.facilities else 0.0),
    Indicator("charity_raised_yuan", "yuan", "社区慈善筹款(累计)", "Charity raised (cumulative)", cumulative=True,
              compute=lambda v: float(v.m.charity.raised)),
    Indicator("needs_met_share", "share", "本月需求满足率", "Needs met this month", share=True,
              compute=lambda v: float(v.m.needs.served / v.m.needs.asked) if v.m.needs.asked else 1.0),
    Indicator("service_person_times", "person-times", "本月服务人次", "Services delivered this month",
              compute=lambda v: float(v.c.services.sum())),
    Indicator("public_spend_yuan", "yuan", "公共支出(累计)", "Public spending (cumulative)", cumulative=True,
              compute=lambda v: float(sum(v.ledger.spend_total.values()))),
    Indicator("needs_met_share_elderly_alone", "share", "本月需求满足率:独居老人",
              "Needs met: older people living alone", share=True,
              compute=lambda v: v.need_met_share("elderly_alone")),
    Indicator("needs_met_share_left_behind_children", "share", "本月需求满足率:留守儿童",
              "Needs met: left-behind children", share=True,
              compute=lambda v: v.need_met_share("left_behind_children")),
    Indicator("needs_met_share_disability", "share", "本月需求满足率:残疾人", "Needs met: people with disabilities",
              share=True,
              compute=lambda v: v.need_met_share("disability")),
    Indicator("needs_met_share_low_income", "share", "本月需求满足率:低收入家庭", "Needs met: low-income households",
              share=True,
              compute=lambda v: v.need_met_share("low_income")),
]

_EXTRA = [
    Indicator("public_budget_yuan", "yuan", "公共预算(累计)", "Public budget (cumulative)", cumulative=True,
              compute=lambda v: float(sum(v.ledger.budget_closed.values()) + sum(v.ledger.budget_year.values()))),
    Indicator("agencies", "agencies", "社工机构", "Social-work agencies",
              compute=lambda v: len(v.m.agencies.by_id)),
    Indicator("incubator_street_coverage", "share", "街道孵化基地覆盖率", "Streets with an incubation base",
              share=True,
              compute=lambda v: float(v.tw.street_base[v.tw.street].mean()) if v.tw.street.any() else 0.0),
    Indicator("orgs_registered", "organisations", "登记注册的社区社会组织", "Registered community organisations",
              compute=lambda v: int(np.count_nonzero(v.o.view('alive') & v.o.view('registered')))),
    Indicator("orgs_incubated", "organisations", "孵化中的组织", "Organisations in incubation",
              compute=lambda v: int(np.count_nonzero(v.o.view('alive') & (v.o.view('incubated_until') >= v.m.t)))),
    Indicator("community_fund_coverage", "share", "设立慈善基金的社区比例", "Communities with a charity fund",
              share=True,
              compute=lambda v: _share(v.c.has_fund)),
    Indicator("charity_donated_yuan", "yuan", "社会捐赠(累计)", "Donations (cumulative)", cumulative=True,
              compute=lambda v: float(v.m.charity.donated)),
    Indicator("volunteer_hours", "hours", "本月志愿服务时长", "Volunteer hours this month",
              compute=lambda v: float(v.c.volunteer_hours.sum())),
    Indicator("needs_open", "persons", "未满足需求人数", "Residents with an open need",
              compute=lambda v: int(v.c.needs_open.sum())),
    Indicator("platform_orders", "orders", "本月平台订单", "Platform orders placed this month",
              compute=lambda v: v.m.needs.orders),
    Indicator("platform_orders_served", "orders", "本月平台订单已服务", "Platform orders served this month",
              compute=lambda v: v.m.needs.orders_served),
    Indicator("platform_orders_unmet", "orders", "本月平台订单未能满足(服务力量已满)",
              "Platform orders unmet this month (providers full)",
              compute=lambda v: v.m.needs.orders - v.m.needs.orders_served),
    Indicator("households_visited", "visits", "本月入户走访", "Household visits this month",
              compute=lambda v: float(v.c.visits.sum())),
    Indicator("needs_found_on_visits", "needs", "本月走访发现的需求(期望值)", "Needs found on visits this month (expected)",
              compute=lambda v: v.m.needs.found),
    Indicator("project_services", "person-times", "本月项目服务人次(一站一品与社工项目)",
              "Project services this month (brand and social-work projects)",
              compute=lambda v: v.m.needs.project_services),
    Indicator("stations_assessing", "stations", "开展需求评估的社工站", "Stations assessing needs",
              compute=lambda v: int(v.m.needs.assessing().sum())),
    Indicator("volunteers_lapsed", "persons", "沉寂的注册志愿者", "Registered volunteers lapsed (dormant)",
              compute=lambda v: int(v.c.volunteers_lapsed.sum())),
    Indicator("sw_admin_share", "share", "驻站社工行政事务工时占比", "Station hours on administration", share=True,
              compute=lambda v: float((v.tw.admin_share * v.tw.sw_staff).sum() / max(v.tw.sw_staff.sum(), 1))),
    Indicator("sw_turnover_12m", "leavers / post-year", "驻站社工近12个月流失率",
              "Station social-worker turnover (12 months)",
              compute=lambda v: float(sum(v.wf.leavers_station[-12:]) / v.staff_12) if v.staff_12 else 0.0),
    Indicator("station_vacancies", "posts", "社工站空缺岗位", "Station vacancies",
              compute=lambda v: int(np.maximum(v.tw.positions - v.tw.sw_staff, 0)[v.tw.funded].sum())),
    Indicator("exam_passed_year", "persons", "本年考试通过人数", "Passed the exam this year",
              compute=lambda v: int(v.wf.exam_passed_this_year)),
    Indicator("community_foundations", "foundations", "社区基金会", "Community foundations",
              compute=lambda v: int(v.m.foundations.has.sum())),
    Indicator("foundation_grants_yuan", "yuan", "社区基金会资助社区项目(累计)",
              "Community foundations' grants to projects (cumulative)", cumulative=True,
              compute=lambda v: float(v.m.foundations.granted)),
    Indicator("community_sw_rooms", "rooms", "社区社会工作服务室", "Community social-work rooms",
              compute=lambda v: int(v.m.rooms.has.sum())),
    Indicator("sw_room_hours", "hours", "本月社区社会工作服务室工时", "Social-work hours in community rooms this month",
              compute=lambda v: float(v.m.rooms.hours)),
]

for _line, (_zh, _en) in BUDGET_LINES.items():
    _EXTRA.append(Indicator(f"spend_{_line}_yuan", "yuan", f"支出:{_zh}(累计)", f"Spend: {_en} (cumulative)",
                            cumulative=True, compute=lambda v, line=_line: float(v.ledger.spend_total[line])))
for _line, (_zh, _en) in BUDGET_LINES.items():
    _EXTRA.append(Indicator(f"budget_{_line}_yuan", "yuan", f"预算:{_zh}(累计)", f"Budget: {_en} (cumulative)",
                            cumulative=True,
                            compute=lambda v, line=_line: float(v.ledger.budget_closed[line] + v.ledger.budget_year[line])))

INDICATORS: dict[str, Indicator] = {i.name: i for i in _CORE + _EXTRA}
CORE_NAMES = [i.name for i in _CORE]


def indicator_names() -> list[str]:
    """Every recorded indicator, core names first."""
    return list(INDICATORS)


def label(name: str, lang: str = "en") -> str:
    return INDICATORS[name].label(lang) if name in INDICATORS else name


# ---- flows: what moves between the five societies in a month ---------------------------------
# The model writes these into ``model.flows`` (reset each month; ``FiveSocietyModel.flows``
# refuses a name not declared here). ``source`` and ``target`` are societies (``SOCIETIES``);
# a flow with neither is a monthly count shown beside the flows, not between societies.

SOCIETIES = ("government", "stations", "agencies", "social_workers", "organisations", "volunteers", "charity",
             "residents")


@dataclass(frozen=True)
class Flow:
    name: str
    unit: str  # yuan, hours, persons, orgs, services, projects
    source: str | None
    target: str | None
    label_zh: str
    label_en: str
    written_by: str  # the module of model/core that writes it

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en


_FLOWS = [
    Flow("gov_to_stations_yuan", "yuan", "government", "stations", "政府→社工站(直接聘用)",
         "Government to stations (direct)", "budget"),
    Flow("gov_to_agencies_yuan", "yuan", "government", "agencies", "政府→社工机构(购买服务)",
         "Government to agencies (purchase)", "budget"),
    Flow("allowances_yuan", "yuan", "government", "social_workers", "持证津贴", "Certificate allowances", "budget"),
    Flow("volunteer_incentives_yuan", "yuan", "government", "volunteers", "志愿者激励", "Volunteer incentives",
         "budget"),
    Flow("wages_yuan", "yuan", "agencies", "social_workers", "机构工资", "Agency wages", "agencies"),
    Flow("grants_yuan", "yuan", "government", "organisations", "启动资金", "Start-up grants", "organisations"),
    Flow("venture_grants_yuan", "yuan", "government", "organisations", "公益创投", "Venture grants",
         "organisations"),
    Flow("match_yuan", "yuan", None, None, "配捐基金→社区基金", "Matching fund to community funds",
         "charity"),
    Flow("donations_yuan", "yuan", "residents", "charity", "社会捐赠", "Donations", "charity"),
    Flow("charity_to_orgs_yuan", "yuan", "charity", "organisations", "社区基金→社区社会组织",
         "Community funds to organisations", "charity"),
    Flow("foundation_grants_yuan", "yuan", "charity", "organisations", "社区基金会→社区项目",
         "Community foundations to community projects", "foundations"),
    Flow("sw_room_hours", "hours", "social_workers", "residents", "社区社会工作服务室工时",
         "Social-work hours in community rooms", "rooms"),
    Flow("charity_to_sw_projects_yuan", "yuan", "charity", "stations", "社区基金→社工项目",
         "Community funds to social-work projects", "charity"),
    Flow("projects", "projects", "charity", "organisations", "慈善项目", "Charity projects", "charity"),
    Flow("sw_admin_hours", "hours", "social_workers", "government", "行政事务工时", "Administration hours",
         "stations"),
    Flow("sw_linkage_hours", "hours", "social_workers", "volunteers", "联动工时", "Linkage hours", "stations"),
    Flow("sw_case_hours", "hours", "social_workers", "residents", "个案工时", "Casework hours", "stations"),
    Flow("volunteer_hours", "hours", "volunteers", "residents", "志愿服务时长", "Volunteer hours", "volunteers"),
    Flow("sw_hired", "persons", "residents", "social_workers", "社工入职", "Social workers hired", "workforce"),
    Flow("sw_left", "persons", "social_workers", "residents", "社工离职", "Social workers who left", "workforce"),
    Flow("orgs_founded", "orgs", "residents", "organisations", "新成立组织", "Organisations founded",
         "organisations"),
    Flow("services", "services", "stations", "residents", "服务人次", "Services delivered", "needs"),
    Flow("cw_hired", "persons", None, None, "社区工作者入职", "Community workers hired", "workforce"),
    Flow("exam_candidates", "persons", None, None, "考试报名人数", "Exam candidates", "workforce"),
    Flow("orgs_closed", "orgs", None, None, "注销组织", "Organisations closed", "organisations"),
    Flow("procurement_yuan", "yuan", None, None, "招标与评估费用", "Tenders and evaluations paid", "stations"),
    Flow("evaluations", "evaluations", None, None, "合同评估", "Contract evaluations", "stations"),
    Flow("evaluations_failed", "evaluations", None, None, "评估未通过", "Evaluations failed", "stations"),
    Flow("provider_changes", "stations", None, None, "更换承接机构", "Stations changing agency", "stations"),
    Flow("agencies_entered", "agencies", None, None, "新进入机构", "Agencies entering", "agencies"),
    Flow("agencies_folded", "agencies", None, None, "倒闭机构", "Agencies folding", "agencies"),
    Flow("stations_orphaned", "stations", None, None, "因机构倒闭重新招标的社工站", "Stations whose agency folded",
         "agencies"),
    Flow("sw_candidates", "persons", None, None, "待聘社工求职者", "Candidates waiting for a post", "workforce"),
    Flow("envelope_yuan", "yuan", None, None, "五社联动年度预算总额", "Five-society envelope this year", "budget"),
]
FLOWS: dict[str, Flow] = {f.name: f for f in _FLOWS}

