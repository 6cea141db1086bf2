"""The parameter schema: every lever, uncertainty and structural constant, declared once.

Everything else reads this table: the model (``Params``), scenario validation,
``wushe list``, the dashboard's controls and sensitivity analysis. A parameter has a
name, a kind (``lever``: what planners pull; ``uncertainty``: what nobody controls;
``structural``: prices and constants of the world), a unit, a default, a range, a
source (the figures of ``model/data/sources.toml`` it uses, a document, or "assumption: why")
and a label in Chinese and English.

A source cites each figure it uses by key: ``§2g.changsha_tender`` is the entry
``["2g".changsha_tender]`` of model/data/sources.toml (``model/sources.py`` resolves it; a test
holds every citation to an entry). READ means the figure is stated there, EST that it is derived
from stated figures with the working given here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .messages import not_one_of, one_line, shown

__all__ = [
    "Parameter",
    "ParameterError",
    "Params",
    "SCHEMA",
    "UNITS_ZH",
    "condition_holds",
    "parameters",
    "unit_label",
    "validate",
]

KINDS = ("lever", "uncertainty", "structural")


class ParameterError(ValueError):
    """A parameter name or value that the schema refuses.

    ``key`` is the offending name, so that callers (scenario files, the CLI) can say
    where it came from.
    """

    def __init__(self, key: str, message: str):
        super().__init__(one_line(message))
        self.key = key


@dataclass(frozen=True)
class Parameter:
    """One entry of the schema."""

    name: str
    kind: str
    unit: str
    default: Any
    min: float | None
    max: float | None
    source: str
    label_zh: str
    label_en: str
    type: str = "float"  # float | int | bool | choice
    choices: tuple = ()
    help_en: str = ""
    help_zh: str = ""
    # the partner lever this one acts through: (name, when in English, when in Chinese);
    # while the partner does not meet the condition (``acts_with``) this one changes nothing,
    # and ``wushe list``, the dashboard and sensitivity analysis say so
    needs: tuple = ()

    def acts_with(self, values: Mapping[str, Any]) -> bool:
        """Whether this parameter can act when the others take ``values`` (name → value).

        True for a parameter that acts alone; for one that ``needs`` a partner, whether the
        partner's value (``values[partner]``, else its schema default) meets the condition.
        The one rule read by the dashboard's lever notes and by sensitivity analysis.
        """
        if not self.needs:
            return True
        partner, when_en, _ = self.needs
        value = values[partner] if partner in values else SCHEMA[partner].default
        return condition_holds(value, when_en)

    def needs_text(self, lang: str = "en") -> str:
        """'needs procurement_mode = mixed' (or its Chinese), or '' for a lever that acts alone."""
        if not self.needs:
            return ""
        partner, when_en, when_zh = self.needs
        return f"需要 {partner} {when_zh}" if lang == "zh" else f"needs {partner} {when_en}"

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def unit_zh(self) -> str:
        """The unit in Chinese (``UNITS_ZH``, declared beside the schema)."""
        return UNITS_ZH.get(self.unit, self.unit)

    def coerce(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ParameterError.

        numpy scalars (``np.int64(3)``, ``np.True_``, ``np.float32(0.5)``) count as the
        Python numbers they hold; the value returned is always a plain Python value.
        """
        name = self.name
        if isinstance(value, np.generic):
            value = value.item()
        if self.type == "choice":
            if not isinstance(value, str) or value not in self.choices:
                valid = ", ".join(repr(c) for c in self.choices)
                raise ParameterError(name, f'"{name}" must be one of {valid}; got {shown(value)}')
            return str(value)
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                return value.lower() in ("true", "yes", "1", "on")
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            raise ParameterError(name, f'"{name}" must be true or false; got {shown(value)}')
        expected = f"a number ({self.unit}) in [{self.min:g}, {self.max:g}]"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ParameterError(name, f'"{name}" must be {expected}; got {shown(value)}')
        try:
            number = float(value)
        except (ValueError, OverflowError):
            raise ParameterError(name, f'"{name}" must be {expected}; got {shown(value)}') from None
        if number != number:  # NaN
            raise ParameterError(name, f'"{name}" must be a number, not NaN')
        if self.type == "int":
            if number in (float("inf"), float("-inf")) or number != int(number):
                raise ParameterError(
                    name, f'"{name}" must be a whole number in [{self.min:g}, {self.max:g}]; got {shown(value)}'
                )
            number = int(number)
        if not (self.min <= number <= self.max):
            raise ParameterError(
                name, f'"{name}" = {shown(value)} is out of range: expected {self.min:g} to {self.max:g} ({self.unit})'
            )
        return number


def condition_holds(value: Any, when: str) -> bool:
    """Whether ``value`` meets a ``needs`` condition of the schema: "= mixed", "> 0", ">= 1", "!= x"."""
    op, _, wanted = when.strip().partition(" ")
    wanted = _number(wanted.strip())
    if op in ("=", "==", "!="):
        same = str(value) == str(wanted) if isinstance(value, str) else value == wanted
        return same if op != "!=" else not same
    x, w = float(value), float(wanted)
    return {">": x > w, ">=": x >= w, "<": x < w, "<=": x <= w}[op]


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _p(name, kind, unit, default, lo, hi, source, zh, en, type="float", choices=(), help_en="", help_zh="",
       needs=()):
    return Parameter(name, kind, unit, default, lo, hi, source, zh, en, type, tuple(choices), help_en, help_zh,
                     tuple(needs))


# fmt: off
_PARAMETERS = [
    # ---- levers: township social-work stations -------------------------------------------
    _p("station_build_share", "lever", "share of all townships / year", 0.20, 0.0, 1.0,
       "EST: Hubei 47号 wants full coverage by end-2024 from about 15% at 2021-01 (§2a.stations_2021_11, §1c.key_county_pilots), "
       "i.e. (1 - 0.15) / 4 years = 0.21 a year",
       "每年新建社工站(占乡镇街道比例)", "Stations funded per year (share of townships)",
       help_en="Each January the county bureaus fund new stations in this share of all townships, "
               "among those that have none."),
    _p("station_budget_yuan", "lever", "yuan / station-year", 150_000, 80_000, 400_000,
       "§6.station_budget (15万–20万, range 12万–40万); Guangdong 双百 15万 for 3 SW (§2g.guangdong_station_grant, READ)",
       "社工站年度经费", "Station budget per station-year",
       help_en="Staff positions per station follow from it: (budget - activities - overhead) / cost per social worker."),
    _p("procurement_mode", "lever", "-", "purchase", None, None,
       "Hubei pilots: county bureau buys station service as a project (§1c.key_county_pilots, READ); "
       "Guangdong 双百 direct employment (§3.guangdong, READ)",
       "社工站运营方式", "Procurement mode", type="choice", choices=("purchase", "direct", "mixed"),
       help_en="purchase: agencies win contracts; direct: townships employ social workers; "
               "mixed: a share `direct_share` of townships employ directly."),
    _p("direct_share", "lever", "share of townships", 0.5, 0.0, 1.0,
       "assumption: the split in a mixed system is a planner's choice",
       "混合模式中直接聘用的乡镇比例", "Direct-employment share (mixed mode)",
       needs=("procurement_mode", "= mixed", "= mixed(混合模式)")),
    _p("contract_years", "lever", "years", 1, 1, 3,
       "Beijing/Shanghai 1-year, Guangzhou/Changsha 3-year contracts (§2g.contract_length, §4b.chan_liu_2022, READ)",
       "购买服务合同年限", "Contract length", type="int"),
    _p("renewal_rule", "lever", "-", "evaluate", None, None,
       "third-party evaluation decides renewal (§4b.third_party_evaluation, §2g.contract_length); assumption for the rule set",
       "合同续签规则", "Contract renewal rule", type="choice", choices=("evaluate", "always", "retender"),
       help_en="evaluate: renew when the evaluation passes, else re-tender; always: renew while funded; "
               "retender: open tender at every expiry."),
    _p("evaluation_pass_mark", "lever", "score out of 1 (share of the contract's plan delivered)", 0.6, 0.3, 0.9,
       "assumption: 60 of 100 points is the usual pass line of third-party evaluations, which purchasers "
       "control (§4b.third_party_evaluation, H city 2012–16); the mark itself is a planner's choice",
       "绩效评估合格线", "Evaluation pass mark",
       help_en="A contract whose evaluation scores below this share of the plan is not renewed and goes to tender.",
       needs=("renewal_rule", "= evaluate", "= evaluate(评估续签)")),
    _p("evaluation_basis", "lever", "-", "outputs", None, None,
       "purchasers count outputs: visits, activities, cases (§5.contracts_shape_supply, READ)",
       "绩效评估口径", "What evaluation counts", type="choice", choices=("outputs", "outcomes"),
       help_en="outputs pull social workers' hours towards countable casework; outcomes towards linkage."),
    _p("sw_pay_ratio", "lever", "ratio to local graduate pay", 0.75, 0.5, 1.5,
       "EST: agency median ≈3,000 yuan against >4,000 for the same graduates in banks (§2h.pay, READ) → 0.75",
       "社工薪酬/当地毕业生薪酬", "Social-worker pay / graduate pay"),
    _p("cert_allowance_yuan", "lever", "yuan / month (assistant level; ×2 intermediate, ×3 senior)", 100, 0, 600,
       "Hubei ≥100/200/300 yuan a month by level (§1b.certificate_allowance, READ)",
       "持证津贴(助理级)", "Certificate allowance (assistant level)"),
    _p("cw_plan_cert_share", "lever", "share of urban community workers certified by 2025 (from 2022)", 0.5, 0.0, 1.0,
       "Hubei 14th-FYP community-services plan (2022): ≥50% of urban community workers certified by 2025 "
       "(§1b.community_services_plan, READ); 0 = no plan",
       "城市社区工作者持证规划目标", "Plan: urban community workers certified by 2025"),
    _p("exam_training_yuan", "lever", "yuan / candidate-year", 0, 0, 3000,
       "assumption: exam preparation courses cost a few hundred to a few thousand yuan",
       "考前培训补贴", "Exam training support"),
    _p("admin_share_cap", "lever", "share of station SW hours", 1.0, 0.1, 1.0,
       "行政吸纳专业: townships absorb station hours into administration (§5.administrative_absorption, §4b.station_problems); 1 = no cap",
       "行政事务工时占比上限", "Cap on administrative share of hours"),
    _p("brand_project_yuan", "lever", "yuan / station-year", 0, 0, 100_000,
       "一站一品 brand projects (seed: Nanchong, Linhai); Zitong 40万 project fund (§3.sichuan) as an upper reference",
       "一站一品项目经费", "Brand-project funding per station"),
    _p("digital_platform", "lever", "on/off", False, None, None,
       "Linhai one-stop platform, WeChat mini-program from June 2021 (seed)",
       "数字化服务平台", "Digital service platform", type="bool"),
    # ---- levers: community social organisations ------------------------------------------
    _p("incubator_city_share", "lever", "share of cities without a base / year", 0.35, 0.0, 1.0,
       "assumption: pace needed for 47号's 'every prefecture city by end-2023' from ≈40% in 2021",
       "每年新建市级孵化基地(占尚无基地城市比例)", "City incubation bases built per year"),
    _p("incubator_county_share", "lever", "share of counties without a base / year", 0.15, 0.0, 1.0,
       "assumption: 47号 wants ≥50% of counties by end-2023 (seed); Hubei full county coverage by 2025 (§1c.social_org_action)",
       "每年新建县级孵化基地(占尚无基地县比例)", "County incubation bases built per year"),
    _p("incubator_street_share", "lever", "share of streets without a base / year", 0.05, 0.0, 1.0,
       "Wuhan aims at full street-level coverage by end-2024 (§1c.wuhan_incubator_target); province pace: assumption",
       "每年新建街道孵化基地(占尚无基地街道比例)", "Street incubation bases built per year"),
    _p("startup_grant_yuan", "lever", "yuan / new organisation", 0, 0, 20_000,
       "incubators give small operating subsidies (§5.incubation); amount: assumption",
       "社区社会组织启动资金", "Start-up grant per new organisation"),
    _p("venture_budget_yuan_per_10k", "lever", "yuan / 10,000 residents / year", 3_000, 0, 50_000,
       "公益创投 venture philanthropy (§1c.shuiguohu_incubator, §5.incubation: NPI >5,000万 for >300 organisations); level: assumption",
       "公益创投经费(每万人)", "Venture philanthropy per 10,000 residents"),
    _p("venture_grant_yuan", "lever", "yuan / grant", 20_000, 5_000, 100_000,
       "EST: NPI venture funds 5,000万 / 300 organisations ≈ 16.7万 over several rounds (§5.incubation); "
       "community-level grants smaller: assumption",
       "公益创投单笔资助", "Venture grant size"),
    # ---- levers: volunteers and charity ----------------------------------------------------
    _p("volunteer_point_share", "lever", "share of facilities without a point / year", 0.20, 0.0, 1.0,
       "assumption: pace towards 47号's 80% by end-2025 (seed)",
       "每年新建志愿服务站点(占尚无站点设施比例)", "Volunteer points opened per year"),
    _p("volunteer_incentive_yuan", "lever", "yuan / active volunteer-month", 0, 0, 100,
       "points, time banks (§5.volunteers, §1c.key_county_pilots 积分); value: assumption",
       "志愿服务激励(积分/时间银行)", "Volunteer incentive per active month"),
    _p("community_fund_share", "lever", "share of communities without a fund / year", 0.30, 0.0, 1.0,
       "EST: 幸福家园 >1.2万 funds by May 2021, all villages by end-2024 planned (§1c.xingfu_jiayuan_2021, §1a.communities_total): "
       "(26,000 - 12,000) / 3.5 years / 14,000 ≈ 0.29",
       "每年新设社区慈善基金(占尚无基金社区比例)", "Community funds opened per year"),
    _p("charity_match_ratio", "lever", "public yuan / donated yuan", 0.0, 0.0, 2.0,
       "幸福家园 matching gifts 配捐 (§1c.xingfu_jiayuan_mechanism, §5.charity_flows, READ); ratio: lever",
       "慈善配捐比例", "Charity matching ratio",
       help_en="Matching gifts come from the matching fund (region file), topped up by public money if "
               "`match_fund_public_yuan_per_10k` > 0."),
    _p("match_fund_public_yuan_per_10k", "lever", "yuan / 10,000 residents / year", 0, 0, 200_000,
       "幸福家园 lets government units add matching gifts (§1c.xingfu_jiayuan_mechanism, §5.charity_flows, READ); amount: a planner's choice",
       "财政注入配捐基金(每万人)", "Public money into the matching fund per 10,000",
       help_en="Counted as public spending (line charity_match); without it matching is charity money only.",
       needs=("charity_match_ratio", "> 0", "> 0")),
    _p("extra_budget_yuan_per_10k", "lever", "yuan / 10,000 residents / year", 0, 0, 500_000,
       "a scenario's explicit addition to the five-society envelope (MODEL.md §1 'given this budget')",
       "五社联动追加预算(每万人)", "Money added to the envelope per 10,000",
       help_en="Added to every county's and the province's yearly envelope in proportion to population."),
    _p("budget_priority", "lever", "-", "stations_first", None, None,
       "stations_first: counties cut activities, then vacancies, then stations (§5.pipeline: the "
       "station is what 47号 counts; assumption on the order); proportional: every line cut alike",
       "预算优先次序", "Budget priorities", type="choice", choices=("stations_first", "proportional"),
       help_en="How the lines share an envelope that cannot pay for everything planned."),
    _p("fiscal_squeeze", "lever", "share cut from every budget line", 0.0, 0.0, 0.8,
       "assumption: a planner's cut, e.g. 2024 (Hubei civil-affairs spending fell 13% in 2021, §1c.civil_affairs_spending)",
       "财政压减比例", "Budget cut (fiscal squeeze)",
       help_en="Cut once from what the year's plan asks for; counties absorb it by the budget priorities."),
    # ---- levers: residents' needs, the platform, committees, funding channels, posts ------------
    _p("needs_assessment_share", "lever", "share of stations assessing needs", 0.0, 0.0, 1.0,
       "Nanchong: stations design projects 在扎实做好需求评估的基础上 (seed); share: a planner's choice",
       "开展需求评估的社工站比例", "Stations assessing needs (share)",
       help_en="A station that assesses spends assessment hours visiting households and then targets its "
               "casework and its brand project at its communities' largest needs."),
    _p("charity_project_share", "lever", "share of community-fund pay-outs", 0.0, 0.0, 1.0,
       "47号: 引导慈善组织资金资助“五社联动”社工项目 (seed); today charity funds no social-work projects",
       "慈善资金资助社工项目比例", "Charity pay-outs funding social-work projects",
       help_en="This share of what community funds pay out goes to social-work projects run by the "
               "township's station (brand projects first), priced per service."),
    _p("party_building", "lever", "share of the gap to a full-strength committee closed", 0.0, 0.0, 1.0,
       "47号 task 1: 坚持党建引领, 发挥社区“两委”的组织协调作用 (seed); size of the effect: assumption",
       "党建引领(社区两委支持)", "Party-building support for committees (党建引领)",
       help_en="Support for community committees (training, coordination): effective committee strength "
               "rises from s to s + this × (1 − s), which coordinates linkage, keeps organisations alive "
               "and mobilises volunteers."),
    _p("funding_township_share", "lever", "share of station money", 0.0, 0.0, 1.0,
       "Nanchong: 拓宽资金渠道, 梳理可用于社工站建设的各类资金 (seed); Hubei pilots: the township builds the "
       "station (§1c.key_county_pilots)",
       "乡镇(街道)出资比例", "Station money from townships"),
    _p("funding_lottery_share", "lever", "share of station money", 0.0, 0.0, 1.0,
       "Nanchong: 拓宽资金渠道 (seed); lottery public-welfare funds (福彩公益金) as a civil-affairs channel: "
       "assumption (no figure in model/data/sources.toml)",
       "福彩公益金出资比例", "Station money from lottery welfare funds"),
    _p("funding_charity_share", "lever", "share of station money", 0.0, 0.0, 1.0,
       "47号: 引导慈善组织资金资助 (seed); Nanchong: 撬动多方资源 (seed)",
       "慈善资金出资比例", "Station money from charity",
       help_en="Township, lottery and charity shares of station money; the county pays the rest (when they add "
               "up to more than 1 they are scaled down to 1). Each channel pays in full in a year with its "
               "reliability, else part; charity's share is not public spending."),
    _p("cw_posts_per_10k", "lever", "community-worker posts / 10,000 urban residents (0: as the region file)",
       0.0, 0.0, 30.0,
       "Hubei 14th-FYP community-services plan: 18 per 10,000 urban residents by 2025 (§1b.community_services_plan, READ)",
       "每万城镇居民社区工作者岗位", "Community-worker posts per 10,000 urban residents",
       help_en="Each January urban communities get posts up to this ratio (never fewer than they have); "
               "vacancies are filled by hiring."),
    _p("community_foundation_share", "lever",
       "share of the townships the region allows without a community foundation / year", 0.0, 0.0, 1.0,
       "community foundations (社区基金会): street funds hosted by a charity federation (§5.community_foundations, 魏雪儿 2025; "
       "first in 2008, §2e.community_foundations); 0 = none set up (the region file says where they may be, [mechanisms])",
       "每年新设社区基金会(占允许且尚无基金会乡镇(街道)比例)", "Community foundations set up per year",
       help_en="Each January this share of the townships where the region allows one (region file "
               "[mechanisms]) and that have none set up a community foundation. It raises money from its "
               "township's donors, who also give to the community funds, and grants it to community projects."),
    _p("community_sw_room_share", "lever",
       "share of the communities the region allows without a room / year", 0.0, 0.0, 1.0,
       "47号: 有条件的地方, 在城乡社区建立社会工作服务站(室) (seed); 0 = none opened (the region file says "
       "where, [mechanisms])",
       "每年新建社区社会工作服务室(占允许且尚无服务室社区比例)", "Community social-work rooms opened per year",
       help_en="Each January this share of the communities where the region allows one (region file "
               "[mechanisms]) and that have none open a social-work room: social-work hours placed in the "
               "community, paid from the county envelope's sw_rooms line."),
    # ---- uncertainties ---------------------------------------------------------------------
    _p("sw_turnover_base", "uncertainty", "quits / worker-year (second or third year in post, pay ratio 0.75)",
       0.15, 0.10, 0.26,
       "EST: observed turnover ≈20% a year in large cities, 17.6% Shenzhen, >25% Guangzhou (§2h.turnover_cities, §2h.turnover_shenzhen, §2h.turnover_guangzhou, §6.turnover) "
       "counts every leaver; in the model contract changes and agencies folding add ≈4–6 points to quits, "
       "and first-year staff quit more (TENURE_TURNOVER), so quits at this base give 18–25% in all",
       "社工基础年离职率", "Baseline social-worker quits"),
    _p("exam_pass_prob", "uncertainty", "probability / candidate, exam years after 2022", 0.19, 0.08, 0.35,
       "EST: mean of new certificates ÷ registrants 2016–2022 = 19% (§2b.2016, §2b.2017, §2b.2018, §2b.2019, §2b.2020, §2b.2021, §2b.2022); 8–30% by year (§6.exam_pass)",
       "职业水平考试通过率", "Exam pass chance per sitting"),
    _p("exam_registrant_growth", "uncertainty", "share / year, national registrants after 2022", 0.20, 0.0, 0.37,
       "EST: national registrants grew +24% a year over 2015–22 (yearly log growth 0.216 ± s.e. 0.051, so "
       "+12% to +37% at ±2 s.e.) and +20% over 2018–22 (§2b.2015, §2b.2018, §2b.2022; model/exam_history.py growth_prior); "
       "0 allows a plateau (assumption)",
       "考试报名人数年增长率(2022年后)", "Growth of exam registrants after 2022"),
    _p("exam_year_sd", "uncertainty", "log-odds s.d. between years", 0.4, 0.0, 1.0,
       "EST: pass rates swung from 8% (2021) to 26% (2018) (§2b.2018, §2b.2021) ≈ ±0.6 in log-odds",
       "年度通过率波动", "Year-to-year exam variation"),
    _p("cw_exam_sit_share", "uncertainty", "share of uncertified community workers / year, without a plan", 0.12,
       0.04, 0.30,
       "EST: Hubei's ≈28,500 candidates of 2021 (national 82.9万 × 4.10% of the population × propensity 0.84, "
       "§2b.2021, §1a.census_population) hold about 1 in 8 of the ≈110,000 uncertified community workers with the rest "
       "from other posts and outside (assumption on the split); the allowance raises it (×1.25 at 100 yuan)",
       "社区工作者年度报考比例", "Community workers sitting the exam"),
    _p("cw_plan_compliance", "uncertainty", "share of the plan's shortfall in sitting made up / year", 0.5, 0.0, 1.0,
       "assumption: street offices push uncertified urban community workers to sit as the 2022 plan's "
       "deadline nears (§1b.community_services_plan: ≥50% certified by 2025); how far they comply is not known",
       "社区工作者持证规划的执行力度", "How far the certification plan is followed"),
    _p("practitioner_inflow_per_10k", "uncertainty", "persons / 10,000 residents / year", 1.6, 0.8, 2.5,
       "EST: uncertified social-work talent entering the count (graduates, training, posts in civil affairs, "
       "health, schools, courts, NGOs). Hubei 2018: uncertified talent 10.7k → 17.2k (§1b.sw_talent_2018, §1b.certified_2018) with exits "
       "and certification ≈ 8,800 a year = 1.5 per 10k; national 2019-07 → end-2020: 120万 → 157万 talent, "
       "certificates 48万 → 66.9万 (§2b.2019, §2b.2020, §2c.sw_talent): ≈1.85 per 10k gross",
       "未持证社工人才年流入(每万人)", "Uncertified practitioners entering per 10,000"),
    _p("training_odds_ratio", "uncertainty", "odds ratio at 1,000 yuan", 1.5, 1.0, 3.0,
       "assumption: no evaluation of exam training was found (none among the evaluations in model/data/sources.toml, §7.purchase_evaluations)",
       "培训对通过率的作用", "Effect of training on pass odds",
       needs=("exam_training_yuan", "> 0", "> 0")),
    _p("hire_fill_prob", "uncertainty",
       "probability / vacancy-month when every candidate accepts and candidates are plentiful", 0.6, 0.2, 0.9,
       "assumption: a post everyone would take is filled in under two months (advertise, examine, start); "
       "rural stations attract many local applicants (§5.why_sws_leave: 刘战旗 et al.)",
       "岗位月填补概率(薪酬可接受时)", "Monthly chance to fill a vacancy (pay accepted)"),
    _p("reservation_pay_ratio", "uncertainty", "median reservation pay / local graduate pay", 0.7, 0.5, 1.0,
       "EST: agencies pay a median ≈3,000 yuan against >4,000 for the same graduates (0.75) and still fill "
       "posts, while ≈60% of social-work graduates take other jobs (§2h.pay, §2h.graduates_leaving): the median candidate asks a "
       "little less than 0.75",
       "求职者保留工资(中位数/毕业生薪酬)", "Candidates' reservation pay (median)"),
    _p("reservation_pay_sigma", "uncertainty", "log-s.d. of reservation pay", 0.3, 0.1, 0.6,
       "assumption: county pay 2,000–3,000 against city 5,000–8,000 (§2h.pay_bands, L) spans about ±0.5 in logs",
       "保留工资离散度", "Spread of reservation pay"),
    _p("candidates_per_10k", "uncertainty", "new candidates / 10,000 residents / year", 1.0, 0.2, 5.0,
       "EST: >4万 social-work graduates a year nationally (§2c.sw_education) ≈ 0.28 per 10,000 residents, ≈40% "
       "staying in the field (§2h.graduates_leaving) ≈ 0.11; local non-graduate applicants, whom rural stations attract "
       "(§5.why_sws_leave), several times more: assumption",
       "每年新增求职者(每万人)", "New job candidates per 10,000"),
    _p("agency_quality_mean", "uncertainty", "share of the plan a fully staffed agency delivers", 0.8, 0.6, 0.95,
       "assumption: no outcome evaluation of purchased services exists (§7.purchase_evaluations, §4b.enjuto_martinez_2021); contracts are usually "
       "delivered, performance measures are weak (§4b.lin_2015)",
       "社工机构平均质量", "Agency quality (mean)"),
    _p("agency_quality_sd", "uncertainty", "s.d. of agency quality", 0.12, 0.02, 0.25,
       "assumption: agencies differ (§4b.he_lei_2015, 何磊: little competition, uneven capacity)",
       "社工机构质量差异", "Agency quality (spread)"),
    _p("evaluation_noise_outputs", "uncertainty", "s.d. of an output evaluation score", 0.05, 0.0, 0.3,
       "assumption: counts (visits, cases, activities) are measured closely (§5.contracts_shape_supply)",
       "产出评估误差", "Evaluation noise (outputs)"),
    _p("evaluation_noise_outcomes", "uncertainty", "s.d. of an outcome evaluation score", 0.12, 0.0, 0.3,
       "assumption: outcomes are harder to measure and evaluators' independence is limited (§4b.third_party_evaluation)",
       "成效评估误差", "Evaluation noise (outcomes)"),
    _p("agency_entry_prob", "uncertainty", "probability / tender with fewer than two bidders", 0.4, 0.0, 1.0,
       "EST: agencies grew from 289 (2018) to ≈450 (2021) in Hubei, ≈+17% a year (§1b.agencies_2018, §2c.agencies), "
       "much of it drawn by new purchase money; per thin tender: assumption",
       "薄弱市场新机构进入概率", "Entry of a new agency into a thin tender"),
    _p("agency_project_growth", "uncertainty", "share / year", 0.20, 0.0, 0.35,
       "EST: Hubei agencies' full-time social workers ≈1,500 (early 2018, region file) → 1,830 (end-2018, "
       "§1b.agency_sw_2018) → ≈2,600 (early 2021, region file): ≈+20% a year; nationally agencies +15% a year "
       "2017–21 and +46% in 2022, posts +9% a year 2017–21 (§2c.agencies, §2c.sw_posts); after 2022 unknown",
       "机构站外项目市场年增长", "Growth of agencies' non-station projects"),
    _p("project_entry_share", "uncertainty", "share of new non-station projects", 0.8, 0.0, 1.0,
       "EST: Hubei's agencies +93% in 2018 while their social workers grew ≈22% (§1b.agencies_2018, §1b.agency_sw_2018): ≈139 new "
       "agencies for ≈165 new two-post projects; 289 → ≈450 agencies for ≈385 projects over 2019–20 "
       "(region file): 0.4–0.85",
       "站外新项目由新机构承接的比例", "New non-station projects taken by new agencies"),
    _p("org_founding_rate", "uncertainty",
       "organisations / year in a community of 10,000 (scales with √population)", 1.2, 0.3, 4.0,
       "EST: Hubei's community organisations ≈5.5万 (2021) with 10万 planned for end-2023 and 15万 for "
       "end-2025 (§1c.social_org_action); the default gives about half the planned growth without extra levers",
       "社区社会组织基础成立率", "Organisation founding rate"),
    _p("org_failure_rate", "uncertainty", "share / year (unsupported organisation)", 0.12, 0.04, 0.30,
       "assumption: counts rise through filing, weak ones lapse (§5.incubation)",
       "社区社会组织基础关闭率", "Organisation failure rate"),
    _p("volunteer_activation", "uncertainty", "share of registered active / month at full organising", 0.10, 0.03, 0.25,
       "EST: 7.44 cumulative hours per registered volunteer nationally (§2d.volunteer_hours) is thin activity; "
       "with good organising a tenth active in a month: assumption",
       "志愿者激活率", "Volunteer activation"),
    _p("donation_per_project_yuan", "uncertainty", "yuan / project", 60_000, 10_000, 100_000,
       "EST: 幸福家园 ≈3.6亿 over >6,000 projects ≈ 6万 each incl. matching (§1c.xingfu_jiayuan_2021); Jianshi 125万 / 38 villages (§1c.xingfu_jiayuan_jianshi)",
       "每个项目筹款额", "Donations per project"),
    _p("donation_match_elasticity", "uncertainty", "donation response to matching", 0.4, 0.0, 1.5,
       "assumption: matching raises giving (§5.charity_flows: 配捐), size unknown",
       "配捐对捐赠的拉动", "Donation response to matching",
       needs=("charity_match_ratio", "> 0", "> 0")),
    _p("fiscal_shock_prob", "uncertainty", "probability / year", 0.05, 0.0, 0.3,
       "assumption: Hubei civil-affairs spending −13% in 2021 (§1c.civil_affairs_spending)",
       "财政冲击年概率", "Fiscal shock probability"),
    _p("fiscal_shock_depth", "uncertainty", "share of budgets cut in a shock year", 0.15, 0.0, 0.5,
       "EST: −13% Hubei civil-affairs spending in 2021 (§1c.civil_affairs_spending)",
       "财政冲击幅度", "Fiscal shock depth"),
    # ---- structural ------------------------------------------------------------------------
    _p("sw_cost_yuan", "structural", "yuan / social-worker-year at pay ratio 0.75", 55_000, 50_000, 72_000,
       "§6.sw_cost (5.5万, 5万–7.2万); Changsha 4,650 yuan a month fully loaded (§2g.changsha_tender)",
       "社工年人力成本", "Cost per social-worker-year"),
    _p("agency_overhead_share", "structural", "share of contract value", 0.06, 0.0, 0.3,
       "assumption: a management fee of 5–10% on purchased contracts; 6% puts a 15万 station at ≈2.5 posts, "
       "near the national ratio of 2.35–2.5 social workers per station (§2a.sw_per_station, §6.sw_per_station)",
       "机构管理费比例", "Agency overhead"),
    _p("station_activity_yuan", "structural", "yuan / station-year", 5_300, 0, 50_000,
       "Changsha tender line items 1,300 + 2×600 + 2×500 + 6×50 + 3×500 = 5,300 (§6.activity_budget, §2g.changsha_tender)",
       "社工站活动经费", "Station activity budget"),
    _p("incubator_city_cost_yuan", "structural", "yuan / base-year", 500_000, 100_000, 2_000_000,
       "assumption: office, staff and small subsidies for ~30 organisations (§1c.shuiguohu_incubator: 30 in residence)",
       "市级孵化基地年运营成本", "City incubation base cost"),
    _p("incubator_county_cost_yuan", "structural", "yuan / base-year", 250_000, 50_000, 1_000_000,
       "assumption: smaller than a city base", "县级孵化基地年运营成本", "County incubation base cost"),
    _p("incubator_street_cost_yuan", "structural", "yuan / base-year", 80_000, 20_000, 500_000,
       "assumption: a room and a part-time coordinator", "街道孵化基地年运营成本", "Street incubation base cost"),
    _p("volunteer_point_cost_yuan", "structural", "yuan / point-year", 3_000, 500, 20_000,
       "assumption: signage, a desk and a registration terminal", "志愿服务站点年成本", "Volunteer point cost"),
    _p("platform_cost_yuan_per_10k", "structural", "yuan / 10,000 residents / year", 2_000, 0, 20_000,
       "assumption: Linhai-style mini-program and dispatch desk (seed)", "数字平台年成本(每万人)",
       "Digital platform cost per 10,000"),
    _p("sw_hours_month", "structural", "hours / social-worker-month", 166, 120, 200,
       "assumption: 40-hour week less leave", "社工月工时", "Working hours per month"),
    _p("admin_demand_purchase", "structural", "share of hours", 0.35, 0.0, 0.9,
       "assumption: purchased-station social workers still do civil-affairs checks (§5.administrative_absorption)",
       "购买模式行政事务需求", "Administrative demand (purchase)"),
    _p("admin_demand_direct", "structural", "share of hours", 0.60, 0.0, 0.9,
       "行政吸纳专业 under 双百 direct employment (§5.administrative_absorption); share: assumption",
       "直聘模式行政事务需求", "Administrative demand (direct)"),
    _p("exam_relative_propensity", "structural", "region's share of national candidates ÷ its population share",
       0.84, 0.5, 1.3,
       "EST: Hubei's share of new certificates 3.71% (2017) and 3.15% (2018), mean 3.43%, over its 4.10% of the "
       "population (57.75m of 1.409bn) = 0.84 (§1b.passed_2018, §2b.2017, §2b.2018, §1a.census_population, §2d.registered_volunteers; data/exam_history.toml)",
       "报考倾向(相对全国)", "Propensity to sit the exam (relative to the nation)"),
    _p("practitioner_exit_rate", "structural", "share of uncertified practitioners leaving the count / year",
       0.10, 0.05, 0.20,
       "assumption: practitioners in civil-affairs, health, school, court and community posts keep their jobs "
       "longer than agency social workers (≈20% a year, §2h.turnover_cities); half that rate",
       "未持证社工人才年流出率", "Uncertified practitioners leaving per year"),
    _p("external_from_practitioners", "structural", "share of candidates outside the model's posts who are "
       "counted practitioners", 0.5, 0.0, 1.0,
       "assumption: candidates outside stations, agencies and community posts are partly practitioners in other "
       "sectors (counted as talent already), partly students and others (§2b.2021, §2b.2022: registrants)",
       "其他考生中已计入人才的比例", "Outside candidates already counted as talent"),
    # ---- behavioural constants (structural; assumptions where no study was found) -------------
    _p("graduate_pay_yuan", "structural", "yuan / month", 4_000, 2_500, 8_000,
       "graduates earn >4,000 in banks and telecoms (§5.why_sws_leave, §2h.pay, READ)",
       "当地毕业生月薪", "Local graduate pay"),
    _p("pay_turnover_elasticity", "structural", "elasticity of turnover to pay ratio", 1.2, 0.0, 3.0,
       "assumption: pay gap is the first reason to leave (§5.why_sws_leave); size not measured",
       "流失对薪酬的弹性", "Turnover elasticity to pay"),
    _p("admin_turnover_effect", "structural", "log hazard per unit of administrative share", 0.8, 0.0, 3.0,
       "assumption: administrative burden and role ambiguity push social workers out (§5.why_sws_leave, §5.administrative_absorption)",
       "行政负担对流失的作用", "Effect of administrative burden on turnover"),
    _p("insecure_contract_mult", "structural", "turnover multiplier, 1-year purchase contract", 1.15, 1.0, 2.0,
       "assumption: short contract cycles make jobs insecure (§5.why_sws_leave, §5.contracts_shape_supply); 3-year contracts at 1/this",
       "短期合同流失倍数", "Turnover multiplier for 1-year contracts"),
    _p("direct_turnover_mult", "structural", "turnover multiplier, direct employment", 0.75, 0.3, 1.2,
       "assumption: township posts are secure and local (§5.why_sws_leave: 刘战旗 et al.)",
       "直聘流失倍数", "Turnover multiplier for direct employment"),
    _p("rebid_retention", "structural", "share of staff kept when an agency loses a station", 0.5, 0.0, 1.0,
       "assumption: the new agency re-hires about half (§5.contracts_shape_supply: staff churn)",
       "换标后留任比例", "Staff kept when a station changes agency"),
    _p("tender_months", "structural", "months", 3, 1, 12, "assumption: tender, award and mobilisation",
       "招标周期", "Tender duration", type="int"),
    _p("tender_cost_yuan", "structural", "yuan / tender", 8_000, 2_000, 40_000,
       "assumption: procurement agency fee, expert panel and the bureau's staff time for one station tender "
       "(about 5% of a 15万 contract)",
       "单次招标成本", "Cost of a tender"),
    _p("evaluation_cost_yuan", "structural", "yuan / evaluation", 4_000, 1_000, 20_000,
       "assumption: a third-party evaluation of one station-year (§4b.third_party_evaluation)",
       "单次评估成本", "Cost of an evaluation"),
    _p("incumbent_edge", "structural", "score points on a 0–1 scale", 0.15, 0.0, 0.5,
       "assumption: officials balance outcomes against the risk of a new provider (§4b.qu_2022)",
       "在位机构优势", "Incumbent's edge in a tender"),
    _p("tender_noise", "structural", "s.d. of a bid's rating", 0.1, 0.0, 0.3,
       "assumption: weak competition, judgement on paper bids (§4b.he_lei_2015)",
       "招标评分误差", "Noise in rating bids"),
    _p("agency_fixed_cost_yuan", "structural", "yuan / agency-month", 1_000, 0, 20_000,
       "assumption: office and management of a small agency; 80% of NGO managers cite lack of funding (§2h.ngo_pay)",
       "社工机构固定成本", "Agency fixed cost"),
    _p("agency_reserve_months", "structural", "months of wage bill", 3, 0, 12,
       "assumption: small agencies live from contract to contract (§2h.ngo_pay, §5.contracts_shape_supply)",
       "机构初始储备(月工资额)", "Agency reserves at the start"),
    _p("direct_oncost_share", "structural", "share of the salary cost", 0.12, 0.0, 0.4,
       "assumption: a township employing directly adds payroll, management and supervision that an agency's "
       "fee covers under purchase (the salary cost itself includes social insurance: §2g.changsha_tender)",
       "直聘管理附加成本", "Direct employment on-costs"),
    _p("recruitment_cost_yuan", "structural", "yuan / hire", 3_000, 0, 15_000,
       "assumption: advertising, examination and interviews of a township hire (双百 recruits locally, §3.guangdong)",
       "招聘成本", "Recruitment cost per hire"),
    _p("new_hire_productivity", "structural", "share of a veteran's casework", 0.5, 0.2, 1.0,
       "assumption: a newcomer learns the township's cases and procedures over the first year (§5.contracts_shape_supply: re-tendering brings staff churn)",
       "新入职社工效率", "New hire's productivity"),
    _p("productivity_ramp_months", "structural", "months", 9, 2, 36,
       "assumption: most of the gap closes within the first year (§2h.early_attrition: most early leavers go in year 1)",
       "效率爬升时间", "Productivity ramp-up"),
    _p("linkage_floor", "structural", "share of linkage reaching residents at hire", 0.25, 0.0, 1.0,
       "assumption: community ties (volunteers, organisations, donors) are built over years and are personal "
       "(§5.pipeline)",
       "新社工联动效能", "New hire's linkage effect"),
    _p("linkage_ramp_months", "structural", "months", 24, 3, 48,
       "assumption: ties take about two years to build, longer than a 1-year contract (§2g.contract_length, §5.pipeline)",
       "社区联结建立时间", "Time to build community ties"),
    _p("candidate_drift", "structural", "share of waiting candidates taking other work / month", 0.08, 0.0, 0.5,
       "assumption: graduates do not wait long for a post (§2h.graduates_leaving: ≈60% take other jobs)",
       "求职者月流失", "Candidates leaving the queue"),
    _p("cw_turnover", "structural", "share / year", 0.08, 0.02, 0.25,
       "assumption: community-worker posts are steadier than agency posts (§2h.turnover_cities)",
       "社区工作者年流失率", "Community-worker turnover"),
    _p("in_post_exam_share", "structural", "share of uncertified station/agency SW sitting / year", 0.6, 0.1, 1.0,
       "assumption: employers push staff to certify (§2g.sw_per_station: '2 certified full-time SW')",
       "在岗社工年度报考比例", "Station and agency SW sitting the exam"),
    _p("certified_hire_share", "structural", "share of hires already certified", 0.25, 0.0, 1.0,
       "assumption: about a quarter of applicants hold a certificate (§2h.graduates_leaving: a quarter of SWs licensed, 2011)",
       "新聘人员持证比例", "Hires already certified"),
    _p("sw_founding_effect", "structural", "extra founding per linkage hour per community-month", 0.08, 0.0, 0.5,
       "assumption: social workers incubate organisations (§5.pipeline)",
       "社工对组织成立的作用", "Social-worker effect on founding"),
    _p("incubator_founding_mult", "structural", "founding multiplier with a base in reach", 1.5, 1.0, 3.0,
       "assumption: incubators help registration and filing (§5.incubation)",
       "孵化基地对成立的作用", "Incubator effect on founding"),
    _p("incubator_survival_mult", "structural", "closure hazard multiplier while incubated", 0.5, 0.1, 1.0,
       "assumption: incubation lowers start-up failure (§5.incubation)",
       "孵化对关闭风险的作用", "Incubation effect on closure"),
    _p("incubation_months", "structural", "months", 12, 3, 36,
       "assumption: a year in residence at a base (§1c.shuiguohu_incubator: organisations in residence; the yearly cycle is the assumption)",
       "孵化期", "Months in incubation", type="int",
       help_en="An organisation taken into an incubation base stays this many months."),
    _p("incubation_max_age_months", "structural", "months", 24, 6, 60,
       "assumption: bases take young organisations, under two years old (§1c.shuiguohu_incubator; the age limit is the assumption)",
       "入驻孵化的最大组织年龄", "Oldest organisation a base takes", type="int",
       help_en="Only organisations younger than this take a free place in an incubation base."),
    _p("intermediate_sit_share", "structural", "share of eligible assistants sitting / year", 0.2, 0.0, 1.0,
       "assumption: one in five assistant social workers with three years in post sits the intermediate exam "
       "each year",
       "助理社工报考中级的年比例", "Assistants sitting the intermediate exam"),
    _p("failed_exam_turnover_mult", "structural", "turnover multiplier after two failed exams", 1.3, 1.0, 2.0,
       "assumption: discouragement after failing the exam twice raises leaving",
       "两次未通过考试后的流失率乘数", "Turnover after two failed exams"),
    _p("volunteer_registration_rate", "uncertainty", "share of unregistered residents registering / month",
       0.0018, 0.0007, 0.0035,
       "EST: the national registered share (§2d.registered_volunteers) went 2.56% (end-2016) → 4.8% (Dec 2017) → 7.1% (2018) "
       "→ 14.8% (end-2020) → 15.4% (Oct 2021): 0.9%–4.1% of the unregistered a year (0.07%–0.35% a month), "
       "about 2.5% a year on average; the default is that average less the pull of volunteer points (×1.2)",
       "志愿者月注册率", "Volunteer registration rate"),
    _p("project_rate", "structural", "charity projects / community fund / month", 0.019, 0.0, 0.2,
       "EST: 幸福家园 >6,000 projects from ≈8,000 funds over ≈2.7 years (§1c.xingfu_jiayuan, §1c.xingfu_jiayuan_2021) ≈ 0.023 a month; "
       "before 2020 Hubei had no stations (linkage 0) and about two organisations per community raise the "
       "base rate by ≈20% in the model: 0.023 / 1.2 ≈ 0.019",
       "社区基金月项目发起率", "Charity projects per fund-month"),
    _p("need_onset", "structural", "share of residents in need groups with a new need / month", 0.05, 0.005, 0.2,
       "assumption: Linhai stations found 394 needs among 2,730 visited (seed) ≈ 14% at a visit",
       "需求月发生率", "Monthly need onset"),
    _p("assessment_hours_per_community", "structural", "social-worker hours / community-year", 12.0, 4.0, 40.0,
       "EST: Linhai's new stations visited 2,730 people (seed) in ≈340 communities ≈ 8 visits each, "
       "at ≈1.5 hours a visit (assumption)",
       "需求评估工时(每社区每年)", "Needs-assessment hours per community-year"),
    _p("assessment_gain", "structural", "services per casework hour, assessed / not assessed", 1.2, 1.0, 1.6,
       "assumption: casework aimed at assessed needs needs fewer hours to resolve a case (Nanchong: 需求评估 "
       "before project design, seed); no evaluation found (§7.purchase_evaluations)",
       "需求评估对个案效率的作用", "Casework gain from needs assessment"),
    _p("visit_hours", "structural", "social-worker hours / household visit", 1.5, 0.5, 4.0,
       "assumption: a home visit with travel in a township",
       "入户走访工时", "Hours per household visit"),
    _p("outreach_share", "structural", "share of linkage hours on household visits", 0.2, 0.0, 0.6,
       "assumption: Linhai stations visited 2,730 people and found 394 needs in their first months (seed)",
       "走访占联动工时比例", "Share of linkage hours on visits"),
    _p("project_service_yuan", "structural", "yuan / project service (人次)", 150.0, 50.0, 1_000.0,
       "EST: Changsha prices a case at 50 yuan (§2g.changsha_tender); project activities with materials and "
       "organisers' time about three times that (assumption). Linhai's 36 projects served 1,758 "
       "person-times (seed), money not reported",
       "项目服务每人次成本", "Cost per project service"),
    _p("project_overflow", "structural", "services to other groups per unit of a project's spare capacity",
       0.5, 0.0, 1.0,
       "assumption: a project designed for one group serves others less well",
       "项目服务其他人群的效率", "Project capacity usable by other groups"),
    _p("brand_visibility", "structural", "relative rise in volunteering and giving where a project runs",
       0.2, 0.0, 1.0,
       "assumption: 一站一品 raises a station's 知晓度、知名度 (seed, Linhai)",
       "品牌项目的带动作用", "Pull of a visible brand project"),
    _p("platform_uptake", "structural", "share of unreported open needs ordered on the platform / month, "
       "once known", 0.003, 0.0, 0.2,
       "EST: Linhai had 20-odd orders from June to December 2021 (seed); with the 36-month ramp, 0.003 gives "
       "about 30 in those seven months in the linhai preset (model.measure_needs)",
       "平台下单率", "Platform uptake"),
    _p("platform_ramp_months", "structural", "months to full uptake", 36, 1, 120,
       "assumption: Linhai's 12,900 visits gave only 20-odd orders in the first half-year (seed)",
       "平台推广期", "Months for the platform to become known", type="int"),
    _p("platform_time_saved", "structural", "share of station casework and linkage hours saved", 0.05, 0.0, 0.3,
       "assumption: central dispatch 为社工机构和服务需求者节约大量时间 (seed, Linhai)",
       "平台节约的协调时间", "Coordination time saved by the platform"),
    _p("platform_recruit", "structural", "relative rise in volunteer activation with the platform", 0.15, 0.0, 1.0,
       "assumption: the platform recruits social workers and volunteers (招募模块, seed, Linhai)",
       "平台招募对志愿者的作用", "Volunteer recruitment through the platform"),
    _p("committee_linkage_effect", "structural", "relative change in linkage per unit of committee strength",
       0.5, 0.0, 1.5,
       "assumption: 两委 coordinate the linkage (47号 task 1, seed); 1 ± 0.25 around an average committee",
       "两委对联动的协调作用", "Committee effect on linkage"),
    _p("committee_volunteer_effect", "structural", "relative change in activation per unit of committee strength",
       0.5, 0.0, 1.5,
       "assumption: committees mobilise residents (47号 task 4, seed)",
       "两委对志愿者动员的作用", "Committee effect on volunteer mobilisation"),
    _p("party_building_yuan", "structural", "yuan / community-year at full support", 5_000, 0, 50_000,
       "assumption: training and coordination meetings of the 两委",
       "党建引领年经费(每社区)", "Party-building support cost per community"),
    _p("county_reliability", "structural", "probability the county pays its share in full / year", 1.0, 0.5, 1.0,
       "assumption: the county budget's own shortfalls are the fiscal shocks (fiscal_shock_prob)",
       "县级财政到位概率", "County money reliability"),
    _p("township_reliability", "structural", "probability / year", 0.85, 0.3, 1.0,
       "assumption: township finances are thin (§4b.station_problems: unsustainable funding)",
       "乡镇资金到位概率", "Township money reliability"),
    _p("lottery_reliability", "structural", "probability / year", 0.9, 0.3, 1.0,
       "assumption: welfare-lottery funds are allocated yearly by project",
       "福彩公益金到位概率", "Lottery-fund reliability"),
    _p("charity_reliability", "structural", "probability / year", 0.7, 0.3, 1.0,
       "assumption: giving swings with crises (§5.giving_swings: COVID 2020)",
       "慈善资金到位概率", "Charity money reliability"),
    _p("channel_shortfall_paid", "structural", "share paid in a year a channel falls short", 0.5, 0.0, 1.0,
       "assumption: a channel that falls short pays about half",
       "资金不到位年份的到位比例", "Share paid when a channel falls short"),
    _p("foundation_raise_yuan_per_10k", "structural", "yuan asked / 10,000 township residents / year", 20_000,
       0, 200_000,
       "assumption: a small street foundation asks about 2 yuan a resident a year, a small part of what a "
       "community's donors can give (region file donor_base_yuan_per_head; §2e.charitable_donations: ≈27 yuan of individual "
       "giving per head nationally)",
       "社区基金会年筹款目标(每万人)", "Community foundation's yearly ask per 10,000"),
    _p("foundation_reliability", "structural", "probability the year's fundraising comes in full / year", 0.6,
       0.3, 1.0,
       "assumption: community foundations face resource shortage and trust deficits (§5.community_foundations, 魏雪儿 2025); "
       "below charity_reliability",
       "社区基金会筹款到位概率", "Community foundation fundraising reliability"),
    _p("foundation_overhead_share", "structural", "share of a foundation's grants kept for running costs", 0.15,
       0.0, 0.5,
       "assumption: a part-time secretariat hosted by a charity federation (§5.community_foundations)",
       "社区基金会管理成本比例", "Community foundation running costs"),
    _p("sw_room_hours_month", "structural", "social-work hours / room-month", 40.0, 10.0, 166.0,
       "assumption: a station social worker or a certified community worker gives the room about a day a week "
       "(a quarter of sw_hours_month)",
       "社区社会工作服务室月服务工时", "Social-work hours per room-month"),
    _p("sw_room_cost_yuan", "structural", "yuan / room-year", 15_000, 0, 60_000,
       "EST: a quarter of a social-worker-year (sw_cost_yuan 55,000 / 4 = 13,750, §6.sw_cost) plus about 1,250 "
       "for materials (assumption)",
       "社区社会工作服务室年成本", "Cost per community social-work room"),
    _p("volunteer_spell_months", "structural", "months an active volunteer stays active (mean)", 4.0, 1.0, 24.0,
       "assumption: thin activity (§2d.volunteer_hours: 7.44 hours per registered volunteer); incentives keep "
       "volunteers (§5.volunteers)",
       "志愿者活跃期(月)", "Active spell of a volunteer"),
    _p("volunteer_lapse_months", "structural", "months a registered, inactive volunteer stays reachable (mean)",
       24.0, 6.0, 120.0,
       "assumption: most registered volunteers are dormant (§2d.volunteer_hours, §5.volunteers)",
       "注册志愿者沉寂前的月数", "Months before an inactive volunteer lapses"),
    _p("volunteer_hours_month", "structural", "hours / active volunteer-month at average organising", 4.0, 1.0, 16.0,
       "assumption: thin activity (§2d.volunteer_hours: 7.44 cumulative hours per registered volunteer nationally)",
       "活跃志愿者月服务时长", "Hours per active volunteer-month"),
    _p("case_hours", "structural", "social-worker hours / case served", 3.0, 1.0, 10.0,
       "assumption: Changsha prices a case at 50 yuan ≈ 3 hours of a station social worker (§2g.changsha_tender)",
       "个案服务工时", "Hours per case"),
    _p("outputs_casework_share", "structural", "share of non-administrative hours on casework", 0.6, 0.2, 0.9,
       "assumption: output counts (cases, visits) pull hours to countable casework (§5.contracts_shape_supply)",
       "产出导向下个案工时占比", "Casework share under output evaluation"),
    _p("outcomes_casework_share", "structural", "share of non-administrative hours on casework", 0.4, 0.1, 0.9,
       "assumption: outcome evaluation leaves more hours for linkage and organising",
       "成效导向下个案工时占比", "Casework share under outcome evaluation"),
]
# fmt: on

SCHEMA: dict[str, Parameter] = {p.name: p for p in _PARAMETERS}
assert len(SCHEMA) == len(_PARAMETERS), "duplicate parameter name"
for _par in _PARAMETERS:
    assert _par.kind in KINDS, _par
    if _par.type in ("float", "int"):
        assert _par.min <= _par.default <= _par.max, _par.name


def _unknown(name: str) -> ParameterError:
    return ParameterError(name, not_one_of(name, SCHEMA, "a parameter"))


def validate(overrides: Mapping | None, kinds: tuple[str, ...] | None = None,
             what: str = "params") -> dict[str, Any]:
    """Check names and values against the schema; return the coerced overrides.

    ``overrides`` must be a mapping of parameter name to value (TypeError otherwise);
    ``kinds`` restricts which kinds of parameter may appear (dated changes take levers
    only). ``what`` names the argument in a TypeError.
    """
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise TypeError(
            f"{what} must be a mapping of parameter name to value, such as {{\"contract_years\": 3}}; "
            f"got {type(overrides).__name__} {shown(overrides, 40)}"
        )
    out = {}
    for name, value in overrides.items():
        if not isinstance(name, str):
            raise TypeError(f"{what}: a parameter name must be a string; got {type(name).__name__} {shown(name, 40)}")
        if name not in SCHEMA:
            raise _unknown(name)
        par = SCHEMA[name]
        if kinds is not None and par.kind not in kinds:
            article = "an" if par.kind[0] in "aeiou" else "a"
            raise ParameterError(
                name, f'"{name}" is {article} {par.kind}, not a lever; only levers change on a date (set it in params)'
            )
        out[name] = par.coerce(value)
    return out


@dataclass
class Params:
    """Current parameter values of one model run: the defaults, then overrides."""

    values: dict = field(default_factory=lambda: {n: p.default for n, p in SCHEMA.items()})

    def __post_init__(self):
        # each value is also an instance attribute, so that ``params.name`` in the monthly rules
        # is a plain attribute read (``__getattr__`` is only the fallback); ``update`` keeps both
        self.__dict__.update(self.values)

    @classmethod
    def from_overrides(cls, overrides: dict | None = None) -> Params:
        params = cls()
        params.update(overrides)
        return params

    def update(self, overrides: dict | None) -> dict:
        checked = validate(overrides)
        self.assign(checked)
        return checked

    def assign(self, checked: dict) -> None:
        """Set values that ``validate`` already returned (dated changes), without checking them again."""
        self.values.update(checked)
        self.__dict__.update(checked)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str):
        return self.values[name]

    def copy(self) -> Params:
        return Params(dict(self.values))


# a parameter named like one of Params' own attributes would hide it (values are instance attributes)
if set(SCHEMA) & (set(dir(Params)) | {"values"}):
    raise RuntimeError(f"parameters named like Params attributes: {sorted(set(SCHEMA) & (set(dir(Params)) | {'values'}))}")

# Each unit of the schema in Chinese, declared once; tests hold every parameter's unit to an entry here.
UNITS_ZH: dict[str, str] = {
    "-": "-",
    "quits / worker-year (second or third year in post, pay ratio 0.75)": "离职人数/人·年(在岗第二、三年,薪酬比0.75)",
    "probability / vacancy-month when every candidate accepts and candidates are plentiful":
        "概率/空缺岗位·月(求职者都接受薪酬且人数充足时)",
    "evaluations": "次评估",
    "on/off": "开/关",
    "years": "年",
    "months": "月",
    "share of eligible assistants sitting / year": "符合条件的助理社工报考比例/年",
    "turnover multiplier after two failed exams": "流失率乘数(两次未通过考试后)",
    "share / year": "比例/年",
    "share of new non-station projects": "占站外新项目比例",
    "share of hours": "工时比例",
    "share of townships": "占乡镇(街道)比例",
    "share of all townships / year": "占全部乡镇(街道)比例/年",
    "share of non-administrative hours on casework": "非行政工时中用于个案服务的比例",
    "share of station SW hours": "占驻站社工工时比例",
    "share of cities without a base / year": "占尚无基地的市比例/年",
    "share of counties without a base / year": "占尚无基地的县比例/年",
    "share of streets without a base / year": "占尚无基地的街道比例/年",
    "share of facilities without a point / year": "占尚无站点的场所比例/年",
    "share of communities without a fund / year": "占尚无基金的社区比例/年",
    "share cut from every budget line": "各预算科目削减比例",
    "share of budgets cut in a shock year": "冲击年份预算削减比例",
    "share of contract value": "占合同金额比例",
    "share of uncertified community workers / year (2021 level)": "占未持证社区工作者比例/年(2021年水平)",
    "share of uncertified community workers counted as talent": "计入人才的未持证社区工作者比例",
    "share of staff kept when an agency loses a station": "机构失去站点时留用员工比例",
    "share of uncertified station/agency SW sitting / year": "未持证驻站/机构社工参考比例/年",
    "share of hires already certified": "新聘人员中已持证比例",
    "share / year (unsupported organisation)": "比例/年(无扶持组织)",
    "share of registered active / month at full organising": "充分组织时注册志愿者月活跃比例",
    "share of unregistered adults registering / month": "未注册成年人每月注册比例",
    "share of residents in need groups with a new need / month": "需求人群中每月新增需求比例",
    "ratio to local graduate pay": "与当地毕业生工资之比",
    "yuan / station-year": "元/站·年",
    "yuan / base-year": "元/基地·年",
    "yuan / 10,000 residents / year": "元/万人·年",
    "yuan / month (assistant level; ×2 intermediate, ×3 senior)": "元/月(助理级;中级×2,高级×3)",
    "yuan / candidate-year": "元/考生·年",
    "yuan / new organisation": "元/新组织",
    "yuan / grant": "元/项",
    "yuan / active volunteer-month": "元/活跃志愿者·月",
    "yuan / project": "元/项目",
    "yuan / social-worker-year at pay ratio 0.75": "元/社工·年(工资比0.75时)",
    "yuan / point-year": "元/站点·年",
    "yuan / month": "元/月",
    "public yuan / donated yuan": "财政配捐元/捐赠元",
    "probability / candidate, exam years after 2022": "概率/考生(2022年后考试年份)",
    "log-odds s.d. between years": "年际对数几率标准差",
    "candidates / 10,000 residents / year": "考生/万人·年",
    "odds ratio at 1,000 yuan": "1,000元时的优势比",
    "probability / vacancy-month at pay ratio 1": "概率/空缺·月(工资比为1时)",
    "probability / vacancy-month at pay ratio 0.75": "概率/空缺·月(工资比为0.75时)",
    "donation response to matching": "捐赠对配捐的响应",
    "probability / year": "概率/年",
    "hours / social-worker-month": "小时/社工·月",
    "elasticity of turnover to pay ratio": "流失率对工资比的弹性",
    "log hazard per unit of administrative share": "每单位行政占比的对数风险",
    "turnover multiplier, 1-year purchase contract": "流失率乘数(一年期购买合同)",
    "turnover multiplier, direct employment": "流失率乘数(直接聘用)",
    "extra founding per linkage hour per community-month": "每联动工时每社区·月新增成立数",
    "founding multiplier with a base in reach": "可及孵化基地时的成立乘数",
    "closure hazard multiplier while incubated": "孵化期间关闭风险乘数",
    "charity projects / community fund / month": "慈善项目/社区基金·月",
    "social-worker hours / case served": "社工工时/个案",
    "organisations / year in a community of 10,000 (scales with √population)": "个组织/年(万人社区,随人口平方根缩放)",
    "score out of 1 (share of the contract's plan delivered)": "评分(满分1,合同计划完成比例)",
    "share of stations assessing needs": "开展需求评估的社工站比例",
    "share of community-fund pay-outs": "占社区基金支出比例",
    "share of the gap to a full-strength committee closed": "向健全委员会差距的弥合比例",
    "share of station money": "占社工站资金比例",
    "community-worker posts / 10,000 urban residents (0: as the region file)": "社区工作者岗位/万城镇居民(0:按区域文件)",
    "median reservation pay / local graduate pay": "保留工资中位数/当地毕业生工资",
    "log-s.d. of reservation pay": "保留工资对数标准差",
    "new candidates / 10,000 residents / year": "新增考生/万人·年",
    "share of the plan a fully staffed agency delivers": "满员机构完成计划的比例",
    "s.d. of agency quality": "机构质量标准差",
    "s.d. of an output evaluation score": "产出评估得分标准差",
    "s.d. of an outcome evaluation score": "成效评估得分标准差",
    "probability / tender with fewer than two bidders": "概率/招标(投标方少于两家)",
    "yuan / tender": "元/次招标",
    "yuan / evaluation": "元/次评估",
    "score points on a 0–1 scale": "得分(0–1)",
    "s.d. of a bid's rating": "投标评分标准差",
    "yuan / agency-month": "元/机构·月",
    "months of wage bill": "月工资总额的月数",
    "share of the salary cost": "占工资成本比例",
    "yuan / hire": "元/聘用一人",
    "share of a veteran's casework": "占资深社工个案量比例",
    "share of linkage reaching residents at hire": "入职时联动服务覆盖居民比例",
    "share of waiting candidates taking other work / month": "待岗考生每月转做其他工作比例",
    "social-worker hours / community-year": "社工工时/社区·年",
    "services per casework hour, assessed / not assessed": "每个案工时服务数(评估/未评估)",
    "social-worker hours / household visit": "社工工时/次入户走访",
    "share of linkage hours on household visits": "联动工时中入户走访比例",
    "yuan / project service (人次)": "元/项目服务人次",
    "services to other groups per unit of a project's spare capacity": "项目富余能力每单位惠及其他人群的服务数",
    "relative rise in volunteering and giving where a project runs": "项目所在地志愿与捐赠的相对增幅",
    "share of unreported open needs ordered on the platform / month, once known": "平台知晓后每月下单的未报告需求比例",
    "months to full uptake": "完全采用所需月数",
    "share of station casework and linkage hours saved": "节省的社工站个案与联动工时比例",
    "relative rise in volunteer activation with the platform": "平台带来的志愿者激活相对增幅",
    "relative change in linkage per unit of committee strength": "每单位委员会健全度的联动相对变化",
    "relative change in activation per unit of committee strength": "每单位委员会健全度的激活相对变化",
    "yuan / community-year at full support": "元/社区·年(全额支持)",
    "probability the county pays its share in full / year": "县级足额配套的概率/年",
    "share paid in a year a channel falls short": "渠道不足年份的支付比例",
    "months an active volunteer stays active (mean)": "活跃志愿者保持活跃的月数(均值)",
    "months a registered, inactive volunteer stays reachable (mean)": "注册未活跃志愿者可联系的月数(均值)",
    "hours / active volunteer-month at average organising": "小时/活跃志愿者·月(平均组织水平)",
    "share of urban community workers certified by 2025 (from 2022)": "2025年城市社区工作者持证比例(自2022年起)",
    "share / year, national registrants after 2022": "比例/年(2022年后全国报考人数)",
    "share of uncertified community workers / year, without a plan": "占未持证社区工作者比例/年(无计划时)",
    "share of the plan's shortfall in sitting made up / year": "每年补足计划报考缺口的比例",
    "persons / 10,000 residents / year": "人/万人·年",
    "region's share of national candidates ÷ its population share": "本地区占全国考生比例÷人口占比",
    "share of uncertified practitioners leaving the count / year": "每年退出统计的未持证从业者比例",
    "share of candidates outside the model's posts who are counted practitioners": "模型岗位之外考生中计为从业者的比例",
    "share of unregistered residents registering / month": "未注册居民每月注册比例",
    "share of the townships the region allows without a community foundation / year":
        "占本地区允许且尚无社区基金会的乡镇(街道)比例/年",
    "share of the communities the region allows without a room / year": "占本地区允许且尚无服务室的社区比例/年",
    "yuan asked / 10,000 township residents / year": "元(筹款目标)/万名乡镇(街道)居民·年",
    "probability the year's fundraising comes in full / year": "全年筹款足额到位的概率/年",
    "share of a foundation's grants kept for running costs": "基金会资助中留作运行成本的比例",
    "social-work hours / room-month": "社工工时/服务室·月",
    "yuan / room-year": "元/服务室·年",
    # indicators' units (model/indicators.py)
    "share": "比例",
    "persons": "人",
    "foundations": "个基金会",
    "rooms": "个服务室",
    "stations": "个站",
    "organisations": "个组织",
    "agencies": "家机构",
    "hours": "小时",
    "person-times": "人次",
    "posts": "个岗位",
    "leavers / post-year": "离职人数/岗位·年",
    "yuan": "元",
    "needs": "项需求",
    "orders": "单",
    "visits": "次走访",
}


def unit_label(p, lang: str = "en") -> str:
    """A parameter's (or indicator's) unit in ``lang``."""
    unit = p.unit if hasattr(p, "unit") else str(p)
    return UNITS_ZH.get(unit, unit) if lang == "zh" else unit


def parameters(kind: str | None = None) -> pd.DataFrame:
    """The schema as a DataFrame: name, kind, unit, default, min, max, source and labels.

    ``kind`` is lever, uncertainty or structural (all of them when None).
    """
    if kind is not None and kind not in KINDS:
        if not isinstance(kind, str):
            raise TypeError(f"kind must be one of {', '.join(KINDS)} or None; got {type(kind).__name__}")
        close = difflib.get_close_matches(kind.strip(), KINDS, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise ValueError(f"kind {shown(kind)} is not a kind of parameter{hint}; valid ones are: {', '.join(KINDS)}")
    rows = [
        {
            "name": p.name,
            "kind": p.kind,
            "unit": p.unit,
            "unit_zh": p.unit_zh,
            "default": p.default,
            "min": p.min,
            "max": p.max,
            "type": p.type,
            "choices": ", ".join(map(str, p.choices)),
            "source": p.source,
            "label_zh": p.label_zh,
            "label_en": p.label_en,
            "needs": p.needs[0] if p.needs else "",
            "needs_when": p.needs[1] if p.needs else "",
        }
        for p in _PARAMETERS
        if kind is None or p.kind == kind
    ]
    return pd.DataFrame(rows)
