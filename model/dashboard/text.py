"""The dashboard's own words, in Chinese and English (one small table).

Everything else the page shows (lever labels and units, indicator and target labels)
comes from the parameter schema, the indicator table and the target files.
"""

from __future__ import annotations

__all__ = ["TEXT", "tr", "choice_label", "month_label", "LANGS"]

LANGS = ("zh", "en")

# key: (zh, en)
TEXT: dict[str, tuple[str, str]] = {
    "title": ("五社联动课堂模拟", "Five-Society Linkage classroom"),
    "subtitle": ("设定政策杠杆,按“运行”,观察五社互动与目标的达成或落空",
                 "Set the levers, press Play, watch the five societies and the targets"),
    "language": ("语言", "Language"),
    "region": ("地区", "Region"),
    "seed": ("随机种子", "Seed"),
    "scenario": ("起始情景", "Start from scenario"),
    "reset": ("重置", "Reset"),
    "step": ("单步", "Step"),
    "play": ("运行", "Play"),
    "pause": ("暂停", "Pause"),
    "speed": ("速度(月/秒)", "Speed (months/s)"),
    "compare": ("对照基准情景", "Compare with baseline"),
    "levers": ("政策杠杆", "Levers"),
    "levers_hint": ("运行中调整的杠杆从下个月起生效,并在图上标出。",
                    "A lever moved during a run takes effect from the next month and is marked on the charts."),
    "not_started": ("尚未开始", "Not started"),
    "finished": ("模拟已结束", "Run finished"),
    "checklist": ("目标清单", "Target checklist"),
    "target": ("目标", "Target"),
    "by": ("期限", "by"),
    "goal": ("目标值", "Goal"),
    "now": ("当前值", "Now"),
    "value": ("数值", "Value"),
    "at_date": ("期限时", "at"),
    "baseline_band_seed": ("基准:同种子 [{n}个种子]", "Baseline: same seed [{n} seeds]"),
    "baseline_band_posterior": ("基准:同种子 [{n}个种子及参数]", "Baseline: same seed [{n} seeds and parameters]"),
    "band_seed": ("基准的随机波动范围", "Baseline spread over seeds"),
    "band_posterior": ("基准的随机与参数波动范围", "Baseline spread over seeds and parameters"),
    "band_mode": ("灰带计入", "The band counts"),
    "band_mode_seed": ("仅随机性", "chance only"),
    "band_mode_posterior": ("随机性与参数", "chance and parameters"),
    "compare_note": (
        "虚线:与本次运行同一随机种子的基准情景;灰带与方括号:基准情景的10%–90%范围。"
        "同一种子(共同随机数)让两次运行共享大部分随机抽样,差值中的噪声因此变小,但不会消失:"
        "杠杆一变,随机数落到的人和组织就不同了。差距若在灰带之内,可能只是偶然;换几个种子再看。",
        "Dashed: the baseline with your seed. Grey band and brackets: the baseline's 10–90% range. "
        "The same seed (common random numbers) lets both runs share most of their random draws, so the gap holds "
        "less noise, but not none: once a lever moves, the draws fall on other people and organisations. A gap "
        "inside the band may be chance; try other seeds."),
    "band_note_seed": ("灰带只计随机性:{n}个随机种子,参数取默认值。",
                       "The band counts chance only: {n} seeds, the parameters at their default values."),
    "band_note_posterior": (
        "灰带计入随机性与参数的不确定性:{n}个随机种子,各配一组校准得到的后验参数(种子s取第s mod n组),"
        "因此更宽;差距在灰带之内,可能是偶然,也可能是我们对参数所知有限。",
        "The band counts chance and the parameters' uncertainty: {n} seeds, each with a set of parameter values "
        "drawn from the calibration's posterior (seed s takes draw s mod n), so it is wider; a gap inside it may be "
        "chance, or what is not known about the parameters."),
    "band_no_posterior": ("本机尚未安装参数后验(由 wushe calibrate 生成),灰带只能计入随机性。",
                          "No parameter posterior is installed (wushe calibrate makes one), so the band counts "
                          "chance only."),
    "show": ("显示", "Show"),
    "hide": ("隐藏", "Hide"),
    "monitors": ("监视器", "Monitors"),
    "choose_monitors": ("选择要显示为数字的指标", "Indicators shown as numbers"),
    "main_chart": ("主图", "Main chart"),
    "indicator": ("指标", "Indicator"),
    "export_csv": ("导出本次运行(CSV)", "Export the run (CSV)"),
    "group_community": ("社区与社工站", "Community and stations"),
    "group_social_workers": ("社会工作者", "Social workers"),
    "group_organisations": ("社区社会组织", "Community organisations"),
    "group_volunteers": ("社区志愿者", "Volunteers"),
    "group_charity": ("社会慈善资源", "Charity"),
    "group_money": ("购买服务与资金", "Purchase of services and money"),
    "group_other": ("其他杠杆", "Other levers"),
    "place_hint": ("点击地图上的乡镇(方块)或社区(圆点、三角)查看它本月的状态。",
                   "Click a township (square) or a community (dot, triangle) on the map to read its state this month."),
    "community": ("社区", "Community"),
    "communities": ("社区数", "Communities"),
    "charity_fund": ("社区慈善基金", "Charity fund"),
    "fund_balance": ("基金余额", "Fund balance"),
    "volunteer_point": ("志愿服务站点", "Volunteer point"),
    "needs_open": ("未满足需求人数", "Residents with an open need"),
    "kind_yuan": ("资金", "Money"),
    "kind_hours": ("工时", "Hours"),
    "kind_persons": ("人员", "People"),
    "kind_orgs": ("组织", "Organisations"),
    "kind_services": ("服务", "Services"),
    "kind_projects": ("项目", "Projects"),
    "baseline": ("基准情景", "Baseline"),
    "live": ("本次运行", "This run"),
    "status": ("状态", "Status"),
    "status_met": ("已达成", "Met"),
    "status_missed": ("未达成", "Missed"),
    "status_on_track": ("按趋势可达成", "On track"),
    "status_off_track": ("按趋势难以达成", "Off track"),
    "status_pending": ("—", "—"),
    "indicators": ("指标随时间变化", "Indicators over time"),
    "choose_indicators": ("选择指标", "Indicators shown"),
    "target_marker": ("目标", "Target"),
    "lever_change": ("杠杆调整", "Lever change"),
    "map": ("地区图景:乡镇(街道)与社区", "The region: townships and their communities"),
    "colour_by": ("着色依据", "Colour by"),
    "colour_station": ("所在乡镇有无社工站", "Station in the township"),
    "colour_orgs": ("每个社区的社会组织数", "Organisations per community"),
    "colour_volunteers": ("每千人活跃志愿者", "Active volunteers per 1,000 residents"),
    "station_yes": ("有社工站", "Station"),
    "station_no": ("无社工站", "No station"),
    "urban": ("城市社区", "Urban community"),
    "rural": ("农村社区", "Rural community"),
    "township": ("乡镇(街道)", "Township"),
    "orgs": ("社会组织", "Organisations"),
    "volunteers": ("活跃志愿者", "Active volunteers"),
    "population": ("人口", "Population"),
    "sw_staff": ("驻站社工", "Station social workers"),
    "map_hint": ("方块为乡镇(街道):实心有社工站,空心无;圆点为城市社区,三角为农村社区。",
                 "Squares are townships (filled: station, hollow: none); dots are urban communities, "
                 "triangles rural ones."),
    "flows": ("五社之间本月的流动", "This month's flows between the five societies"),
    "flows_none": ("尚无流动数据(先运行一个月)", "No flows yet (step a month first)"),
    "other_flows": ("其他流动", "Other flows"),
    "node_government": ("政府(民政部门)", "Government"),
    "node_agencies": ("社工机构", "Agencies"),
    "node_stations": ("乡镇(街道)社工站", "Stations"),
    "node_social_workers": ("社会工作者", "Social workers"),
    "node_organisations": ("社区社会组织", "Community organisations"),
    "node_volunteers": ("社区志愿者", "Volunteers"),
    "node_residents": ("居民", "Residents"),
    "node_charity": ("社区慈善基金", "Charity funds"),
    "unit_yuan": ("元", "yuan"),
    "unit_hours": ("小时", "hours"),
    "unit_persons": ("人", "persons"),
    "unit_services": ("人次", "services"),
    "unit_orgs": ("个组织", "organisations"),
    "unit_projects": ("个项目", "projects"),
    "flow_orgs_closed": ("本月关闭的组织", "organisations closed"),
    "flow_exam_candidates": ("考试报名人数", "exam candidates"),
    "month_fmt": ("{year}年{month}月", "{month_name} {year}"),
    "month_zero": ("开始前", "before"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "on": ("开", "on"),
    "off": ("关", "off"),
}

# Choice values of the schema's choosers (the schema keeps them as codes).
CHOICES: dict[tuple[str, str], tuple[str, str]] = {
    ("procurement_mode", "purchase"): ("购买服务", "purchase of service"),
    ("procurement_mode", "direct"): ("直接聘用", "direct employment"),
    ("procurement_mode", "mixed"): ("混合", "mixed"),
    ("renewal_rule", "evaluate"): ("评估后续签", "renew after evaluation"),
    ("renewal_rule", "always"): ("有经费即续签", "always renew"),
    ("renewal_rule", "retender"): ("到期重新招标", "re-tender"),
    ("evaluation_basis", "outputs"): ("产出(服务量)", "outputs"),
    ("evaluation_basis", "outcomes"): ("成效", "outcomes"),
    ("budget_priority", "stations_first"): ("社工站优先", "stations first"),
    ("budget_priority", "proportional"): ("按比例压减", "proportional"),
}

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def tr(key: str, lang: str = "en") -> str:
    """The dashboard string ``key`` in ``lang`` (``zh`` or ``en``)."""
    zh, en = TEXT[key]
    return zh if lang == "zh" else en


def choice_label(parameter: str, value: str, lang: str = "en") -> str:
    pair = CHOICES.get((parameter, value))
    if pair is None:
        return str(value)
    return pair[0] if lang == "zh" else pair[1]


def month_label(date, lang: str = "en") -> str:
    """'2023年4月' or 'April 2023' for a timestamp; the start marker for None."""
    if date is None:
        return tr("month_zero", lang)
    return tr("month_fmt", lang).format(year=date.year, month=date.month, month_name=_MONTHS_EN[date.month - 1])
