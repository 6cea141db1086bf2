"""Every word wushe shows people, in Chinese and English: one table.

The report, its figures and workbook, the command line and the dashboard all read
``TEXT`` (``key: (zh, en)``) through :func:`t`. Names that have a home of their own are
translated there and looked up through the helpers below, so that every screen says the
same thing:

- indicators and flows: ``model/indicators.py`` (:func:`indicator_label`, :func:`flow_label`);
- parameters and their units: ``model/params.py`` (:func:`parameter_label`, :func:`unit_label`);
- choice values of the schema's choosers: ``TEXT["<parameter>=<value>"]`` (:func:`choice_label`);
- scenarios: their files' ``title`` (:func:`scenario_title`);
- regions: their files' ``title`` (:func:`region_title`);
- targets and target sets: their files' ``label`` and ``title``.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["LANGS", "TEXT", "t", "choice_label", "switch_label", "month_label", "scenario_title", "region_title",
           "flow_label", "indicator_label", "parameter_label", "unit_label", "budget_line_label", "kind_label"]

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # ---- the calibration's fit report (model/calibration/report.py)
    'fit_title': ('校准:对历史记录的拟合', 'Calibration: fit to the record'),
    'fit_region': ('地区', 'Region'),
    'fit_window': ('拟合时段', 'Fitted window'),
    'fit_method': ('方法', 'Method'),
    'fit_runs': ('模型运行次数', 'Model runs'),
    'fit_median_run': ('单次运行时间中位数(墙钟,每个进程)', 'median run time (wall, per worker)'),
    'fit_cpu': ('CPU 时间', 'CPU'),
    'fit_wall': ('校准总耗时', 'calibration wall time'),
    'fit_coverage': ('后验预测检验', 'Posterior predictive check'),
    'fit_coverage_text': ('{n} 个观测值中有 {k} 个({share:.0%})落在各自的 90% 后验预测区间内(模型运行加上观测值自身的误差);应有比例为 90%。', "{k} of {n} observations ({share:.0%}) lie inside their 90% posterior predictive interval (model runs plus the observation's stated error); the stated rate is 90%."),
    'fit_bands': ('观测值与后验预测区间', 'Observations over posterior predictive bands'),
    'fit_bands_text': ('线:各次运行的中位数;带:基于后验抽样的运行的 5–95% 区间(包含参数与随机性)。带误差线的点:观测值及其给定范围。阴影:拟合时段;其后为样本外预测。', 'Line: median of the runs; band: 5–95% of runs on posterior draws (parameters and chance). Dots with bars: observations and their stated ranges. Shaded: the fitted window; after it the runs are a forecast, out of sample.'),
    'fit_method_text': ('在共同随机数下构造高斯合成似然,用 emcee 集合采样器抽样;先用 SALib 的 Morris 方法筛选参数表中的不确定参数', "emcee ensemble sampler on a Gaussian synthetic likelihood with common random numbers; SALib Morris screening of the schema's uncertainties"),
    'fit_chain': ('采样器:{walkers} 个游走者,舍弃预烧期后保留 {kept} 步,接受率 {acc:.2f};积分自相关时间(步){tau}。链长远短于 50 个自相关时间时,后验较为粗略:边缘分布只作近似解读。', 'Sampler: {walkers} walkers, {kept} steps kept after burn-in, acceptance {acc:.2f}; integrated autocorrelation time (steps) {tau}. A chain much shorter than 50 autocorrelation times gives a rough posterior: read the marginals as approximate.'),
    'fit_marginals': ('拟合参数:后验与先验', 'Fitted parameters: posterior against prior'),
    'fit_pairs': ('拟合参数两两关系', 'Pairs of fitted parameters'),
    'fit_parameters': ('参数', 'Parameters'),
    'fit_left_out': ('未使用的观测值', 'Observations not used'),
    'fit_name': ('参数', 'parameter'),
    'fit_fitted': ('已拟合', 'fitted'),
    'fit_prior': ('保持先验', 'left at prior'),
    'fit_status': ('状态', 'status'),
    'fit_forecast_only': ('对历史记录无影响(2022年后才起作用):预测驱动因素,保持先验', 'no effect on the record (acts after 2022): a forecast driver, left at its prior'),
    'fit_range': ('先验范围', 'prior range'),
    'fit_median': ('中位数', 'median'),
    'fit_interval': ('90% 区间', '90% interval'),
    'fit_mu_star': ('Morris μ*(影响度)', 'Morris μ*'),
    'fit_why': ('原因', 'why'),
    'fit_date': ('日期', 'date'),
    'fit_indicator': ('指标', 'indicator'),
    'fit_density': ('密度', 'density'),
    'fit_prior_line': ('先验(均匀)', 'prior (uniform)'),
    'fit_default': ('默认值', 'schema default'),
    # ---- the report, its figures and the workbook
    'median': ('中位数', 'median'),
    'band': ('10%–90%区间', '10–90% band'),
    'target': ('目标', 'target'),
    'observed': ('观测值(含不确定性)', 'observed (with uncertainty)'),
    'lever_change': ('政策调整', 'levers change'),
    'month': ('月份', 'month'),
    'difference': ('与基线的配对差值', 'paired difference from the baseline'),
    'difference_of': ('{label}:与“{baseline}”的差值', '{label}: difference from “{baseline}”'),
    'attainment_title': ('按期达成目标的概率', 'Probability of meeting each target by its date'),
    'cost_title': ('公共支出与目标达成', 'Public spending and target attainment'),
    'spend_axis': ('公共支出(累计,{unit})', 'Public spending (cumulative, {unit})'),
    'attain_axis': ('平均完成度(截止日期指标占目标值,封顶100%)', "Mean progress: value at each target's date as % of goal (capped at 100%)"),
    'by': ('期限', 'by'),
    'runs': ('次模拟', 'runs'),
    'no_pair': ('无法配对', 'not paired'),
    'yuan': ('元', 'yuan'),
    'wan_yuan': ('万元', '10,000 yuan'),
    'yi_yuan': ('亿元', '100 million yuan'),
    'million_yuan': ('百万元', 'million yuan'),
    'billion_yuan': ('十亿元', 'billion yuan'),
    'report_title': ('五社联动策略比较报告', 'Five-Society Linkage: comparing strategies'),
    'lede': ('本报告回答规划者的问题:哪种策略能实现哪项目标、把握多大、何时实现、花费多少,以及与现行做法相比如何。每个情景运行 {replicates} 次(共同随机数,第 r 次运行在所有情景中使用相同种子),区域:{regions},时间窗口:{window}。', "This report answers a planner's question: which strategy meets which target, how surely, by when, at what cost, and compared with what we do now. Each scenario was run {replicates} times on common random numbers (replicate r of every scenario used the same seed); region: {regions}; window: {window}."),
    'bands_seed': ('区间只反映随机性(各次运行的随机种子不同),不包括参数的不确定性:它们偏窄。用 --uncertainty posterior 运行,可把校准后参数的不确定性计入。', "Bands count chance only (each run's seed), not what we do not know about the parameters: they are too narrow. Run with --uncertainty posterior to carry the calibrated parameters' uncertainty."),
    'bands_posterior': ('区间同时反映随机性与参数的不确定性:第 r 次运行使用后验样本 r(样本数 {draws});已拟合的参数:{fitted},其余参数取自先验。', 'Bands count chance and what we do not know about the parameters: replicate r used posterior draw r (draws: {draws}); fitted to the record: {fitted}; the others drawn from their priors.'),
    'contents': ('目录', 'Contents'),
    's_verdict': ('1. 结论:各策略按期达成目标的概率', '1. Verdict: how surely each strategy meets each target'),
    'verdict_note': ('单元格为按期达成目标的模拟比例,括号内为 {level}% 区间(Jeffreys 区间)。颜色越绿,把握越大。', 'Each cell is the share of runs that met the target by its date, with a {level}% interval (Jeffreys) in brackets. Greener is surer.'),
    's_when': ('2. 何时实现', '2. When each target is reached'),
    'when_note': ('至少一半模拟已达成目标的最早月份;“—”表示在时间窗口内一半以上的模拟未达成。括号内为截止日期的指标中位数。', "The earliest month by which at least half of the runs had met the target; “—” where more than half never met it within the window. In brackets: the median value at the target's date."),
    'when_figs': ('目标指标随时间的变化:中位数线与10%–90%区间,黑色星号为目标值与期限,虚线为情景政策调整的月份。', "Target indicators over time: median line and 10–90% band; black stars mark each target's value and date; dotted lines mark the months a scenario's levers change."),
    's_cost': ('3. 花费多少', '3. What it costs'),
    'cost_note': ('公共支出为整个时间窗口的累计值(各次模拟的平均值,各预算科目之和等于合计)。与基线相比的增量为逐次配对差值的平均。成本效果比仅在增加支出、且效果增量明显(配对均值超过其标准误的两倍)时给出。', 'Public spending is cumulative over the window (the mean over runs; the budget lines add up to the total). Differences from the baseline are means of paired differences, replicate by replicate. Cost-effectiveness ratios are given only where a strategy costs more and its gain is clear (the paired mean above twice its standard error).'),
    's_diff': ('4. 与基线相比的差异', '4. How each strategy differs from the baseline'),
    'diff_note': ('配对差值 = 情景 − 基线(同一随机种子逐次相减),给出中位数及10%–90%区间;Δ概率为达成概率之差。由于使用共同随机数,配对差值的区间远比两组独立结果之差窄。', 'Paired difference = scenario − baseline, run by run on the same seed: median and 10–90% range; Δ probability is the difference in the share of runs meeting the target. Common random numbers make these ranges far narrower than a difference of two independent ensembles.'),
    's_units': ('5. 分市州与县(市、区)', '5. By prefecture and county'),
    'units_note': ('各市州、县(市、区)按自己辖区内的单位判断目标:比例类目标看本地的比例(如本地乡镇社工站覆盖率),'
                   '全省总量目标(如8万社工人才)按人口比例分到各地。概率为本地按期达成的模拟比例;完成度为各目标截止日期'
                   '指标中位数占目标值的比例(封顶100%)的平均;支出为时间窗口内在本地的累计公共支出(各预算科目按其支付对象'
                   '所在地分摊)。各地之和等于全省。“—”表示该地没有这一目标所计的单位(如设区的市孵化基地不按县判断)。',
                   'Each prefecture and county is judged on its own units: a share target on its own share (its '
                   'townships with a station), a province total (80,000 professionals) on its population share of the '
                   'goal. Probability: the share of runs in which the unit met the target by its date; progress: each '
                   "target's median value at its date as a share of the goal (capped at 100%), averaged; spending: "
                   'public money spent there over the window (each budget line apportioned by where what it pays for '
                   'is). The units add up to the province. “—”: the unit holds none of the units a target counts '
                   '(a city incubation base is not judged on counties).'),
    'units_rank_prefecture': ('市州排名({scenario})', 'Prefectures ranked ({scenario})'),
    'units_rank_county': ('县(市、区)排名({scenario})', 'Counties and districts ranked ({scenario})'),
    'units_matrix': ('各情景下各市州的平均完成度', "Each prefecture's mean progress under each scenario"),
    'units_fig_title': ('{level}:截止日期指标占目标值(中位数与10%–90%区间),{scenario}',
                        '{level}: value at each target\'s date as % of goal (median, 10–90% band), {scenario}'),
    'units_ranked': ('{n}个县(市、区),按完成度排序', '{n} counties and districts, ranked by progress'),
    'level_prefecture': ('市州', 'Prefecture'),
    'level_county': ('县(市、区)', 'County or district'),
    'progress': ('平均完成度', 'Mean progress'),
    'targets_met_units': ('按期达成的目标(概率≥50%)', 'Targets met (p ≥ 50%)'),
    'spend_window': ('累计公共支出', 'Public spending'),
    'per_resident': ('人均', 'Per resident'),
    's_assume': ('6. 假设与版本', '6. Assumptions and versions'),
    'assume_note': ('各情景的说明、与默认值不同的政策杠杆及其来源、按日期的调整;其余参数取 model/params.py 中的默认值。', "Each scenario's description, the levers it sets away from the defaults with their sources, and its dated changes; every other parameter is at its default in model/params.py."),
    's_sources': ('7. 数据来源', '7. Sources'),
    'sources_note': ('本报告的运行所引用的数据,逐项列出(随程序附带的 model/data/sources.toml):编号、数据项、数值、日期、发布者与网址,以及引用它的情景、参数、地区文件或目标集。参数与情景以编号引用数据(如 §1c.wuhan_stations)。READ 表示来源原文写明的数字,EST 表示由原文数字推算。', "The figures this report's runs cite, one row each (model/data/sources.toml, shipped with wushe): key, figure, value, date, publisher and address, and the scenarios, parameters, region files or target sets citing it. Parameters and scenarios cite a figure by its key (§1c.wuhan_stations). READ: stated word for word in the source; EST: derived from stated figures."),
    'src_figure': ('数据项', 'Figure'),
    'src_key': ('编号', 'Key'),
    'src_section': ('类别', 'Section'),
    'src_publisher': ('发布者', 'Publisher'),
    'src_address': ('网址', 'Address'),
    'src_status': ('性质', 'Status'),
    'src_cited_by': ('引用处', 'Cited by'),
    'src_value': ('数值', 'Value'),
    'src_date': ('时间', 'Date'),
    'src_where': ('发布者与网址', 'Publisher and address'),
    's_tables': ('数据表', 'Tables'),
    'tables_note': ('同样的表格见 tables/*.csv 与 report.xlsx(可用电子表格软件打开)。', 'The same tables are in tables/*.csv and report.xlsx, for spreadsheets.'),
    'scenario': ('情景', 'Scenario'),
    'col_target': ('目标', 'Target'),
    'indicator': ('指标', 'Indicator'),
    'date': ('期限', 'By'),
    'goal': ('目标值', 'Goal'),
    'probability': ('达成概率', 'Probability'),
    'interval': ('区间', 'Interval'),
    'first_met': ('一半模拟达成的月份', 'Month half the runs met it'),
    'median_value': ('期限时中位数', 'Median at the date'),
    'total': ('合计', 'Total'),
    'budget': ('预算', 'Budget'),
    'extra_cost': ('比基线多支出', 'Extra cost vs baseline'),
    'attainment_pp': ('平均达成概率', 'Mean attainment'),
    'extra_attainment_pp': ('达成概率增量(百分点)', 'Extra attainment (pp)'),
    'per_certified': ('每增加1名持证社工的成本', 'Per extra certified social worker'),
    'per_talent': ('每增加1名社工人才的成本', 'Per extra social-work professional'),
    'per_station_year': ('每增加1个站·年的成本', 'Per extra station-year'),
    'per_pp': ('每提高1个百分点达成概率的成本', 'Per percentage point of attainment'),
    'vs_baseline': ('与基线相比', 'Against the baseline'),
    'dominant': ('更省,且各目标指标均不低于基线', 'cheaper, and no target indicator lower'),
    'dominated': ('更贵,且各目标指标均未高于基线', 'costlier, and no target indicator higher'),
    'better': ('花费相当,部分目标指标更高、无一更低', 'same cost, some target indicators higher, none lower'),
    'worse': ('花费相当,部分目标指标更低、无一更高', 'same cost, some target indicators lower, none higher'),
    'trade-off': ('需权衡', 'trade-off'),
    'same': ('花费与各目标指标均无差别', 'no difference in cost or any target indicator'),
    'cheaper': ('更省', 'cheaper'),
    'costlier': ('更贵', 'costlier'),
    'same_cost': ('花费相当', 'same cost'),
    'ahead_behind': ('{ahead} 项目标指标更高,{behind} 项更低', '{ahead} target indicators higher, {behind} lower'),
    'worst': ('差距最大:{label} {gap}(占目标值)', 'furthest behind: {label} {gap} of the goal'),
    'spending_by_line': ('按预算科目的累计公共支出', 'Cumulative public spending by budget line'),
    'against_baseline': ('与基线相比:增量、完成度、成本效果与结论', 'Against the baseline: extra cost, progress, cost-effectiveness and verdict'),
    'of_goal': ('达目标值的{share}', '{share} of goal'),
    'goal_share': ('达到目标值的比例', 'Value as a share of the goal'),
    'mean_goal_share': ('平均完成度(占目标值,封顶100%)', 'Mean progress (value as % of goal, capped at 100%)'),
    'verdict_detail': ('与基线比较的依据', 'Why'),
    'materiality': ('判定规则:支出差额不足基线支出的 {cost}%(或不超过其标准误的两倍)视为“花费相当”;目标指标按截止日期的配对差值中位数比较,任何一项低于基线即不称“更省且不低于基线”,差值达到目标值的 {goal}% 视为实质差异。', "Rules: a spending difference under {cost}% of the baseline's spending (or within twice its standard error) counts as the same cost; target indicators are compared by the paired median at each target's date, and a strategy lower on any of them is never called cheaper-and-no-worse; a difference of {goal}% of the goal or more is material."),
    'baseline': ('基线', 'baseline'),
    'paired_median': ('配对差值中位数 [10%–90%]', 'Paired difference, median [10–90%]'),
    'delta_p': ('Δ概率', 'Δp'),
    'at_end': ('期末({date})', 'at the end ({date})'),
    'description': ('说明', 'Description'),
    'values_set': ('设定的参数', 'Values set'),
    'changes': ('按日期调整', 'Dated changes'),
    'source': ('来源', 'Source'),
    'none': ('无(全部为默认值)', 'none (every parameter at its default)'),
    'region': ('地区', 'Region'),
    'window': ('时间窗口', 'Window'),
    'seeds': ('随机种子', 'Seeds'),
    'seeds_text': ('根种子 {root},{n} 次重复;第 r 次重复的种子:{method}。前几个种子:{first}。', "root seed {root}, {n} replicates; replicate r's seed: {method}. First seeds: {first}."),
    'versions': ('版本', 'Versions'),
    'versions_text': ('wushe {version},提交 {commit}{dirty},Python {python},创建于 {created}(UTC),执行器 {executor}。', 'wushe {version}, commit {commit}{dirty}, Python {python}, created {created} (UTC), executor {executor}.'),
    'dirty': ('(含未提交修改)', ' (with uncommitted changes)'),
    'failed_runs': ('失败的模拟:{n} 次(见 runs.parquet 的 error 列)。', 'Failed runs: {n} (see the error column of runs.parquet).'),
    'not_paired': ('以下情景与基线的区域或时间窗口不同,未作配对比较:{names}。', 'Not compared with the baseline (another region or window): {names}.'),
    'generated': ('由 wushe report 生成', 'Written by wushe report'),
    'target_set': ('目标体系', 'Target set'),
    'never': ('—', '—'),
    # ---- the dashboard
    'title': ('五社联动课堂模拟', 'Five-Society Linkage classroom'),
    'subtitle': ('设定政策杠杆,按“运行”,观察五社互动与目标的达成或落空', 'Set the levers, press Play, watch the five societies and the targets'),
    'language': ('语言', 'Language'),
    'seed': ('随机种子', 'Seed'),
    'start_scenario': ('起始情景', 'Start from scenario'),
    'reset': ('重置', 'Reset'),
    'step': ('单步', 'Step'),
    'play': ('运行', 'Play'),
    'pause': ('暂停', 'Pause'),
    'speed': ('速度(月/秒)', 'Speed (months/s)'),
    'compare': ('对照基准情景', 'Compare with baseline'),
    'levers': ('政策杠杆', 'Levers'),
    'levers_hint': ('运行中调整的杠杆从下个月起生效,并在图上标出。', 'A lever moved during a run takes effect from the next month and is marked on the charts.'),
    # a lever that acts only with a partner lever (schema `needs`): the note beside its control
    'lever_needs_acts': ('仅当「{partner}」{when} 时起作用(现为 {value}):已生效。', 'Acts only when {partner} {when} (now {value}): in effect.'),
    'lever_needs_inert': ('⚠ 目前不起作用:仅当「{partner}」{when} 时起作用(现为 {value})。', '⚠ No effect now: acts only when {partner} {when} (now {value}).'),
    'not_started': ('尚未开始', 'Not started'),
    'finished': ('模拟已结束', 'Run finished'),
    'checklist': ('目标清单', 'Target checklist'),
    'now': ('当前值', 'Now'),
    'value': ('数值', 'Value'),
    'at_date': ('期限时', 'at'),
    'baseline_band_seed': ('基准:同种子 [{n}个种子]', 'Baseline: same seed [{n} seeds]'),
    'baseline_band_posterior': ('基准:同种子 [{n}个种子及参数]', 'Baseline: same seed [{n} seeds and parameters]'),
    'band_seed': ('基准的随机波动范围', 'Baseline spread over seeds'),
    'band_posterior': ('基准的随机与参数波动范围', 'Baseline spread over seeds and parameters'),
    'band_mode': ('灰带计入', 'The band counts'),
    'band_mode_seed': ('仅随机性', 'chance only'),
    'band_mode_posterior': ('随机性与参数', 'chance and parameters'),
    'compare_note': ('虚线:与本次运行同一随机种子的基准情景;灰带与方括号:基准情景的10%–90%范围。同一种子(共同随机数)让两次运行共享大部分随机抽样,差值中的噪声因此变小,但不会消失:杠杆一变,随机数落到的人和组织就不同了。差距若在灰带之内,可能只是偶然;换几个种子再看。', "Dashed: the baseline with your seed. Grey band and brackets: the baseline's 10–90% range. The same seed (common random numbers) lets both runs share most of their random draws, so the gap holds less noise, but not none: once a lever moves, the draws fall on other people and organisations. A gap inside the band may be chance; try other seeds."),
    'band_note_seed': ('灰带只计随机性:{n}个随机种子,参数取默认值。', 'The band counts chance only: {n} seeds, the parameters at their default values.'),
    'band_note_posterior': ('灰带计入随机性与参数的不确定性:{n}个随机种子,各配一组校准得到的后验参数(种子s取第s mod n组),因此更宽;差距在灰带之内,可能是偶然,也可能是我们对参数所知有限。', "The band counts chance and the parameters' uncertainty: {n} seeds, each with a set of parameter values drawn from the calibration's posterior (seed s takes draw s mod n), so it is wider; a gap inside it may be chance, or what is not known about the parameters."),
    'band_no_posterior': ('本机尚未安装参数后验(由 wushe calibrate 生成),灰带只能计入随机性。', 'No parameter posterior is installed (wushe calibrate makes one), so the band counts chance only.'),
    'show': ('显示', 'Show'),
    'hide': ('隐藏', 'Hide'),
    'monitors': ('监视器', 'Monitors'),
    'choose_monitors': ('选择要显示为数字的指标', 'Indicators shown as numbers'),
    'main_chart': ('主图', 'Main chart'),
    'export_csv': ('导出本次运行(CSV)', 'Export the run (CSV)'),
    'group_community': ('社区与社工站', 'Community and stations'),
    'group_social_workers': ('社会工作者', 'Social workers'),
    'group_organisations': ('社区社会组织', 'Community organisations'),
    'group_volunteers': ('社区志愿者', 'Volunteers'),
    'group_charity': ('社会慈善资源', 'Charity'),
    'group_money': ('购买服务与资金', 'Purchase of services and money'),
    'group_other': ('其他杠杆', 'Other levers'),
    'place_hint': ('点击地图上的乡镇(方块)或社区(圆点、三角)查看它本月的状态。', 'Click a township (square) or a community (dot, triangle) on the map to read its state this month.'),
    'community': ('社区', 'Community'),
    'communities': ('社区数', 'Communities'),
    'charity_fund': ('社区慈善基金', 'Charity fund'),
    'fund_balance': ('基金余额', 'Fund balance'),
    'volunteer_point': ('志愿服务站点', 'Volunteer point'),
    'needs_open': ('未满足需求人数', 'Residents with an open need'),
    'kind_yuan': ('资金', 'Money'),
    'kind_hours': ('工时', 'Hours'),
    'kind_persons': ('人员', 'People'),
    'kind_orgs': ('组织', 'Organisations'),
    'kind_services': ('服务', 'Services'),
    'kind_projects': ('项目', 'Projects'),
    'baseline_scenario': ('基准情景', 'Baseline'),
    'live': ('本次运行', 'This run'),
    'status': ('状态', 'Status'),
    'status_met': ('已达成', 'Met'),
    'status_missed': ('未达成', 'Missed'),
    'status_on_track': ('按趋势可达成', 'On track'),
    'status_off_track': ('按趋势难以达成', 'Off track'),
    'status_pending': ('—', '—'),
    'indicators': ('指标随时间变化', 'Indicators over time'),
    'choose_indicators': ('选择指标', 'Indicators shown'),
    'target_marker': ('目标', 'Target'),
    'lever_moved': ('杠杆调整', 'Lever change'),
    'map': ('地区图景:乡镇(街道)与社区', 'The region: townships and their communities'),
    'colour_by': ('着色依据', 'Colour by'),
    'colour_station': ('所在乡镇有无社工站', 'Station in the township'),
    'colour_orgs': ('每个社区的社会组织数', 'Organisations per community'),
    'colour_volunteers': ('每千人活跃志愿者', 'Active volunteers per 1,000 residents'),
    'station_yes': ('有社工站', 'Station'),
    'station_no': ('无社工站', 'No station'),
    'urban': ('城市社区', 'Urban community'),
    'rural': ('农村社区', 'Rural community'),
    'township': ('乡镇(街道)', 'Township'),
    'orgs': ('社会组织', 'Organisations'),
    'volunteers': ('活跃志愿者', 'Active volunteers'),
    'population': ('人口', 'Population'),
    'sw_staff': ('驻站社工', 'Station social workers'),
    'map_hint': ('方块为乡镇(街道):实心有社工站,空心无;圆点为城市社区,三角为农村社区。', 'Squares are townships (filled: station, hollow: none); dots are urban communities, triangles rural ones.'),
    'flows': ('五社之间本月的流动', "This month's flows between the five societies"),
    'flows_none': ('尚无流动数据(先运行一个月)', 'No flows yet (step a month first)'),
    'other_flows': ('其他流动', 'Other flows'),
    'node_government': ('政府(民政部门)', 'Government'),
    'node_agencies': ('社工机构', 'Agencies'),
    'node_stations': ('乡镇(街道)社工站', 'Stations'),
    'node_social_workers': ('社会工作者', 'Social workers'),
    'node_organisations': ('社区社会组织', 'Community organisations'),
    'node_volunteers': ('社区志愿者', 'Volunteers'),
    'node_residents': ('居民', 'Residents'),
    'node_charity': ('社区慈善基金', 'Charity funds'),
    'unit_yuan': ('元', 'yuan'),
    'unit_hours': ('小时', 'hours'),
    'unit_persons': ('人', 'persons'),
    'unit_services': ('人次', 'services'),
    'unit_orgs': ('个组织', 'organisations'),
    'unit_projects': ('个项目', 'projects'),
    'flow_orgs_closed': ('本月关闭的组织', 'organisations closed'),
    'flow_exam_candidates': ('考试报名人数', 'exam candidates'),
    'month_fmt': ('{year}年{month}月', '{month_name} {year}'),
    'month_zero': ('开始前', 'before'),
    'yes': ('是', 'yes'),
    'no': ('否', 'no'),
    'on': ('开', 'on'),
    'off': ('关', 'off'),
    # ---- choice values of the schema's choosers: <parameter>=<value>
    'procurement_mode=purchase': ('购买服务', 'purchase of service'),
    'procurement_mode=direct': ('直接聘用', 'direct employment'),
    'procurement_mode=mixed': ('混合', 'mixed'),
    'renewal_rule=evaluate': ('评估后续签', 'renew after evaluation'),
    'renewal_rule=always': ('有经费即续签', 'always renew'),
    'renewal_rule=retender': ('到期重新招标', 're-tender'),
    'evaluation_basis=outputs': ('产出(服务量)', 'outputs'),
    'evaluation_basis=outcomes': ('成效', 'outcomes'),
    'budget_priority=stations_first': ('社工站优先', 'stations first'),
    'budget_priority=proportional': ('按比例压减', 'proportional'),
    # ---- the command line
    "cli_baseline": ("基线", "baseline"),
    "cli_met": ("是否达成", "met"),
    "cli_seed": ("随机种子", "seed"),
    "cli_value": ("实现值", "value"),
    "cli_targets_met": ("项目标达成", "targets met"),
    "cli_target": ("目标", "target"),
    "cli_date": ("日期", "by"),
    "cli_goal": ("目标值", "goal"),
    "cli_name": ("名称", "name"),
    "cli_region": ("地区", "region"),
    "cli_window": ("时间窗口", "window"),
    "cli_title": ("标题", "title"),
    "cli_targets": ("目标数", "targets"),
    "cli_kind": ("类别", "kind"),
    "cli_default": ("默认值", "default"),
    "cli_range": ("范围", "range"),
    "cli_unit": ("单位", "unit"),
    "cli_label": ("名称(中文)", "label"),
    "cli_needs": ("依赖", "acts through"),
    # ---- kinds of parameter (model/params.py)
    "kind=lever": ("政策杠杆", "lever"),
    "kind=uncertainty": ("不确定参数", "uncertainty"),
    "kind=structural": ("结构参数", "structural"),
}

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def t(key: str, lang: str = "en", **fields) -> str:
    """The text for ``key`` in ``lang`` (``zh`` or ``en``), formatted with ``fields`` when given."""
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text


def choice_label(parameter: str, value, lang: str = "en") -> str:
    """A chooser's value as people read it (``purchase`` → 购买服务); the value itself if not a known choice."""
    key = f"{parameter}={value}"
    return t(key, lang) if key in TEXT else str(value)


def switch_label(value: bool, lang: str = "en") -> str:
    """A switch's state: 开/关, on/off."""
    return t("on" if value else "off", lang)


def kind_label(kind: str, lang: str = "en") -> str:
    """A parameter kind (lever, uncertainty, structural) in ``lang``."""
    key = f"kind={kind}"
    return t(key, lang) if key in TEXT else kind


def month_label(date, lang: str = "en") -> str:
    """'2023年4月' or 'April 2023' for a timestamp; the start marker for None."""
    if date is None:
        return t("month_zero", lang)
    return t("month_fmt", lang).format(year=date.year, month=date.month, month_name=_MONTHS_EN[date.month - 1])


def scenario_title(name: str, lang: str = "en") -> str:
    """A shipped or user scenario's title in ``lang`` (from its file); the name if it has none or is not found."""
    title = _scenario_titles(name)
    return (title.get(lang) or title.get("en") or name) if title else name


@lru_cache(maxsize=256)
def _scenario_titles(name: str) -> dict | None:
    from .scenarios import load_scenario

    try:
        return dict(load_scenario(name).title)
    except Exception:  # not a scenario this installation holds: its name is all we have
        return None


def region_title(name: str, lang: str = "en") -> str:
    """A region's title in ``lang`` (湖北省 / Hubei Province), from its region file; the name if it has none."""
    titles = _region_titles(name)
    if titles is None:
        return name
    return (titles[0] if lang == "zh" else titles[1]) or name


@lru_cache(maxsize=64)
def _region_titles(name: str) -> tuple[str, str] | None:
    from .regions import load_region

    try:
        region = load_region(name)
    except Exception:  # a region file not installed here: its name is all we have
        return None
    return region.title_zh, region.title_en


def flow_label(name: str, lang: str = "en") -> str:
    """A flow between the five societies (``model/indicators.py: FLOWS``) in ``lang``; the name if unknown."""
    from .indicators import FLOWS

    flow = FLOWS.get(name)
    return flow.label(lang) if flow else name


def indicator_label(name: str, lang: str = "en") -> str:
    """An indicator's label in ``lang`` (``model/indicators.py``); the name if unknown."""
    from .indicators import label

    return label(name, lang)


def budget_line_label(line: str, lang: str = "en") -> str:
    """A budget line (``model/indicators.py: BUDGET_LINES``) in ``lang``."""
    from .indicators import BUDGET_LINES

    zh, en = BUDGET_LINES.get(line, (line, line))
    return zh if lang == "zh" else en


def parameter_label(name: str, lang: str = "en") -> str:
    """A parameter's label in ``lang`` (``model/params.py``); the name if unknown."""
    from .params import SCHEMA

    p = SCHEMA.get(name)
    return p.label(lang) if p else name


def unit_label(unit: str, lang: str = "en") -> str:
    """A unit of the schema or the indicators in ``lang`` (``model/params.py: UNITS_ZH``)."""
    from .params import unit_label as _unit_label

    return _unit_label(unit, lang)
