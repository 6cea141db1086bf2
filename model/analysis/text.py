"""Words used only by the figures and the report, in Chinese and English.

Indicator, parameter, budget-line, target and scenario names come from their own
homes (``model/indicators.py``, ``model/params.py``, the target set files, the
scenario files); this dict holds only what is said about them.
"""

from __future__ import annotations

__all__ = ["TEXT", "t"]

TEXT: dict[str, dict[str, str]] = {
    # figures
    "median": {"zh": "中位数", "en": "median"},
    "band": {"zh": "10%–90%区间", "en": "10–90% band"},
    "target": {"zh": "目标", "en": "target"},
    "observed": {"zh": "观测值(含不确定性)", "en": "observed (with uncertainty)"},
    "lever_change": {"zh": "政策调整", "en": "levers change"},
    "month": {"zh": "月份", "en": "month"},
    "difference": {"zh": "与基线的配对差值", "en": "paired difference from the baseline"},
    "difference_of": {"zh": "{label}:与“{baseline}”的差值", "en": "{label}: difference from “{baseline}”"},
    "attainment_title": {"zh": "按期达成目标的概率", "en": "Probability of meeting each target by its date"},
    "cost_title": {"zh": "公共支出与目标达成", "en": "Public spending and target attainment"},
    "spend_axis": {"zh": "公共支出(累计,{unit})", "en": "Public spending (cumulative, {unit})"},
    "attain_axis": {"zh": "平均完成度(截止日期指标占目标值,封顶100%)",
                    "en": "Mean progress: value at each target's date as % of goal (capped at 100%)"},
    "by": {"zh": "期限", "en": "by"},
    "runs": {"zh": "次模拟", "en": "runs"},
    "no_pair": {"zh": "无法配对", "en": "not paired"},
    # units
    "yuan": {"zh": "元", "en": "yuan"},
    "wan_yuan": {"zh": "万元", "en": "10,000 yuan"},
    "yi_yuan": {"zh": "亿元", "en": "100 million yuan"},
    "million_yuan": {"zh": "百万元", "en": "million yuan"},
    "billion_yuan": {"zh": "十亿元", "en": "billion yuan"},
    # report
    "report_title": {"zh": "五社联动策略比较报告", "en": "Five-Society Linkage: comparing strategies"},
    "lede": {
        "zh": "本报告回答规划者的问题:哪种策略能实现哪项目标、把握多大、何时实现、花费多少,以及与现行做法相比如何。"
              "每个情景运行 {replicates} 次(共同随机数,第 r 次运行在所有情景中使用相同种子),区域:{regions},"
              "时间窗口:{window}。",
        "en": "This report answers a planner's question: which strategy meets which target, how surely, by when, at "
              "what cost, and compared with what we do now. Each scenario was run {replicates} times on common "
              "random numbers (replicate r of every scenario used the same seed); region: {regions}; "
              "window: {window}.",
    },
    "bands_seed": {
        "zh": "区间只反映随机性(各次运行的随机种子不同),不包括参数的不确定性:它们偏窄。"
              "用 --uncertainty posterior 运行,可把校准后参数的不确定性计入。",
        "en": "Bands count chance only (each run's seed), not what we do not know about the parameters: they are "
              "too narrow. Run with --uncertainty posterior to carry the calibrated parameters' uncertainty.",
    },
    "bands_posterior": {
        "zh": "区间同时反映随机性与参数的不确定性:第 r 次运行使用后验样本 r(样本数 {draws});"
              "已拟合的参数:{fitted},其余参数取自先验。",
        "en": "Bands count chance and what we do not know about the parameters: replicate r used posterior draw r "
              "(draws: {draws}); fitted to the record: {fitted}; the others drawn from their priors.",
    },
    "contents": {"zh": "目录", "en": "Contents"},
    "s_verdict": {"zh": "1. 结论:各策略按期达成目标的概率", "en": "1. Verdict: how surely each strategy meets each target"},
    "verdict_note": {
        "zh": "单元格为按期达成目标的模拟比例,括号内为 {level}% 区间(Jeffreys 区间)。颜色越绿,把握越大。",
        "en": "Each cell is the share of runs that met the target by its date, with a {level}% interval "
              "(Jeffreys) in brackets. Greener is surer.",
    },
    "s_when": {"zh": "2. 何时实现", "en": "2. When each target is reached"},
    "when_note": {
        "zh": "至少一半模拟已达成目标的最早月份;“—”表示在时间窗口内一半以上的模拟未达成。括号内为截止日期的指标中位数。",
        "en": "The earliest month by which at least half of the runs had met the target; “—” where more than half "
              "never met it within the window. In brackets: the median value at the target's date.",
    },
    "when_figs": {
        "zh": "目标指标随时间的变化:中位数线与10%–90%区间,黑色星号为目标值与期限,虚线为情景政策调整的月份。",
        "en": "Target indicators over time: median line and 10–90% band; black stars mark each target's value and "
              "date; dotted lines mark the months a scenario's levers change.",
    },
    "s_cost": {"zh": "3. 花费多少", "en": "3. What it costs"},
    "cost_note": {
        "zh": "公共支出为整个时间窗口的累计值(各次模拟的平均值,各预算科目之和等于合计)。与基线相比的增量为逐次配对差值的平均。"
              "成本效果比仅在增加支出、且效果增量明显(配对均值超过其标准误的两倍)时给出。",
        "en": "Public spending is cumulative over the window (the mean over runs; the budget lines add up to the "
              "total). Differences from the baseline are means of paired differences, replicate by replicate. "
              "Cost-effectiveness ratios are given only where a strategy costs more and its gain is clear (the paired "
              "mean above twice its standard error).",
    },
    "s_diff": {"zh": "4. 与基线相比的差异", "en": "4. How each strategy differs from the baseline"},
    "diff_note": {
        "zh": "配对差值 = 情景 − 基线(同一随机种子逐次相减),给出中位数及10%–90%区间;Δ概率为达成概率之差。"
              "由于使用共同随机数,配对差值的区间远比两组独立结果之差窄。",
        "en": "Paired difference = scenario − baseline, run by run on the same seed: median and 10–90% range; "
              "Δ probability is the difference in the share of runs meeting the target. Common random numbers make "
              "these ranges far narrower than a difference of two independent ensembles.",
    },
    "s_assume": {"zh": "5. 假设与版本", "en": "5. Assumptions and versions"},
    "assume_note": {
        "zh": "各情景的说明、与默认值不同的政策杠杆及其来源、按日期的调整;其余参数取 model/params.py 中的默认值。",
        "en": "Each scenario's description, the levers it sets away from the defaults with their sources, and its "
              "dated changes; every other parameter is at its default in model/params.py.",
    },
    "s_sources": {"zh": "6. 数据来源", "en": "6. Sources"},
    "sources_note": {
        "zh": "本报告所用情景引用的来源,逐项列出(随程序附带的 model/data/sources.toml):数值、日期、发布者与网址。"
              "READ 表示来源原文写明的数字,EST 表示由原文数字推算。",
        "en": "The sources the scenarios of this report cite, figure by figure (model/data/sources.toml, shipped with "
              "wushe): value, date, publisher and address. READ: stated word for word in the source; EST: derived "
              "from stated figures.",
    },
    "src_figure": {"zh": "数据项", "en": "Figure"},
    "src_value": {"zh": "数值", "en": "Value"},
    "src_date": {"zh": "时间", "en": "Date"},
    "src_where": {"zh": "发布者与网址", "en": "Publisher and address"},
    "s_tables": {"zh": "数据表", "en": "Tables"},
    "tables_note": {
        "zh": "同样的表格见 tables/*.csv 与 report.xlsx(可用电子表格软件打开)。",
        "en": "The same tables are in tables/*.csv and report.xlsx, for spreadsheets.",
    },
    # table headers
    "scenario": {"zh": "情景", "en": "Scenario"},
    "col_target": {"zh": "目标", "en": "Target"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "date": {"zh": "期限", "en": "By"},
    "goal": {"zh": "目标值", "en": "Goal"},
    "probability": {"zh": "达成概率", "en": "Probability"},
    "interval": {"zh": "区间", "en": "Interval"},
    "first_met": {"zh": "一半模拟达成的月份", "en": "Month half the runs met it"},
    "median_value": {"zh": "期限时中位数", "en": "Median at the date"},
    "total": {"zh": "合计", "en": "Total"},
    "budget": {"zh": "预算", "en": "Budget"},
    "extra_cost": {"zh": "比基线多支出", "en": "Extra cost vs baseline"},
    "attainment_pp": {"zh": "平均达成概率", "en": "Mean attainment"},
    "extra_attainment_pp": {"zh": "达成概率增量(百分点)", "en": "Extra attainment (pp)"},
    "per_certified": {"zh": "每增加1名持证社工的成本", "en": "Per extra certified social worker"},
    "per_talent": {"zh": "每增加1名社工人才的成本", "en": "Per extra social-work professional"},
    "per_station_year": {"zh": "每增加1个站·年的成本", "en": "Per extra station-year"},
    "per_pp": {"zh": "每提高1个百分点达成概率的成本", "en": "Per percentage point of attainment"},
    "vs_baseline": {"zh": "与基线相比", "en": "Against the baseline"},
    "dominant": {"zh": "更省,且各目标指标均不低于基线", "en": "cheaper, and no target indicator lower"},
    "dominated": {"zh": "更贵,且各目标指标均未高于基线", "en": "costlier, and no target indicator higher"},
    "better": {"zh": "花费相当,部分目标指标更高、无一更低", "en": "same cost, some target indicators higher, none lower"},
    "worse": {"zh": "花费相当,部分目标指标更低、无一更高", "en": "same cost, some target indicators lower, none higher"},
    "trade-off": {"zh": "需权衡", "en": "trade-off"},
    "same": {"zh": "花费与各目标指标均无差别", "en": "no difference in cost or any target indicator"},
    "cheaper": {"zh": "更省", "en": "cheaper"},
    "costlier": {"zh": "更贵", "en": "costlier"},
    "same_cost": {"zh": "花费相当", "en": "same cost"},
    "ahead_behind": {"zh": "{ahead} 项目标指标更高,{behind} 项更低", "en": "{ahead} target indicators higher, {behind} lower"},
    "worst": {"zh": "差距最大:{label} {gap}(占目标值)", "en": "furthest behind: {label} {gap} of the goal"},
    "spending_by_line": {"zh": "按预算科目的累计公共支出", "en": "Cumulative public spending by budget line"},
    "against_baseline": {"zh": "与基线相比:增量、完成度、成本效果与结论", "en": "Against the baseline: extra cost, progress, cost-effectiveness and verdict"},
    "of_goal": {"zh": "达目标值的{share}", "en": "{share} of goal"},
    "goal_share": {"zh": "达到目标值的比例", "en": "Value as a share of the goal"},
    "mean_goal_share": {"zh": "平均完成度(占目标值,封顶100%)", "en": "Mean progress (value as % of goal, capped at 100%)"},
    "verdict_detail": {"zh": "与基线比较的依据", "en": "Why"},
    "materiality": {
        "zh": "判定规则:支出差额不足基线支出的 {cost}%(或不超过其标准误的两倍)视为“花费相当”;"
              "目标指标按截止日期的配对差值中位数比较,任何一项低于基线即不称“更省且不低于基线”,"
              "差值达到目标值的 {goal}% 视为实质差异。",
        "en": "Rules: a spending difference under {cost}% of the baseline's spending (or within twice its standard "
              "error) counts as the same cost; target indicators are compared by the paired median at each "
              "target's date, and a strategy lower on any of them is never called cheaper-and-no-worse; a difference "
              "of {goal}% of the goal or more is material.",
    },
    "baseline": {"zh": "基线", "en": "baseline"},
    "paired_median": {"zh": "配对差值中位数 [10%–90%]", "en": "Paired difference, median [10–90%]"},
    "delta_p": {"zh": "Δ概率", "en": "Δp"},
    "at_end": {"zh": "期末({date})", "en": "at the end ({date})"},
    "description": {"zh": "说明", "en": "Description"},
    "levers": {"zh": "设定的参数", "en": "Values set"},
    "changes": {"zh": "按日期调整", "en": "Dated changes"},
    "source": {"zh": "来源", "en": "Source"},
    "none": {"zh": "无(全部为默认值)", "en": "none (every parameter at its default)"},
    "region": {"zh": "区域", "en": "Region"},
    "window": {"zh": "时间窗口", "en": "Window"},
    "seeds": {"zh": "随机种子", "en": "Seeds"},
    "seeds_text": {
        "zh": "根种子 {root},{n} 次重复;第 r 次重复的种子:{method}。前几个种子:{first}。",
        "en": "root seed {root}, {n} replicates; replicate r's seed: {method}. First seeds: {first}.",
    },
    "versions": {"zh": "版本", "en": "Versions"},
    "versions_text": {
        "zh": "wushe {version},提交 {commit}{dirty},Python {python},创建于 {created}(UTC),执行器 {executor}。",
        "en": "wushe {version}, commit {commit}{dirty}, Python {python}, created {created} (UTC), executor {executor}.",
    },
    "dirty": {"zh": "(含未提交修改)", "en": " (with uncommitted changes)"},
    "failed_runs": {"zh": "失败的模拟:{n} 次(见 runs.parquet 的 error 列)。", "en": "Failed runs: {n} (see the error "
                    "column of runs.parquet)."},
    "not_paired": {
        "zh": "以下情景与基线的区域或时间窗口不同,未作配对比较:{names}。",
        "en": "Not compared with the baseline (another region or window): {names}.",
    },
    "generated": {"zh": "由 wushe report 生成", "en": "Written by wushe report"},
    "target_set": {"zh": "目标体系", "en": "Target set"},
    "never": {"zh": "—", "en": "—"},
}


def t(key: str, lang: str = "en", **fields) -> str:
    """The text for ``key`` in ``lang`` (English where a language is missing), formatted with ``fields``."""
    entry = TEXT[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fields) if fields else text
