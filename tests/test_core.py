"""The core's submodels one at a time, on a handful of rows, without loading a region.

``Bench`` is a bare ``mesa.Model`` holding only the state the submodel under test reads:
two townships in one county, four communities, the schema's defaults. Also: no module in
``model/`` imports another in a circle, and no class of the core (nor the schedule) is
longer than a few hundred lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd
import pytest

from model.core import tender
from model.core.agencies import STATION_BID_STAFF, Agencies
from model.core.budget import Ledger
from model.core.calendar import month_ends
from model.core.organisations import BASE_SLOTS, OrganisationSector
from model.core.outputs import Flows
from model.core.state import (
    CERT_ASSISTANT,
    CERT_INTERMEDIATE,
    LEFT_CONTRACT_LOST,
    MODE_PURCHASE,
    ROLE_AGENCY,
    ROLE_COMMUNITY,
    ROLE_STATION_PURCHASE,
    Townships,
)
from model.core.stations import Stations
from model.core.streams import make_streams, monthly
from model.core.workforce import Workforce
from model.params import SCHEMA, Params

MODEL_DIR = Path(__file__).resolve().parents[1] / "model"
MAX_CLASS_LINES = 300
PASS_MARK = SCHEMA["evaluation_pass_mark"].default


class Bench(mesa.Model):
    """The smallest world the workforce, stations and agencies submodels run in."""

    def __init__(self, seed: int = 0, **params):
        self.streams = make_streams(seed)
        super().__init__(rng=self.streams["mesa"])
        self.params = Params.from_overrides(params)
        self.start = pd.Timestamp("2021-01-01")
        self.calendar = month_ends(self.start, pd.Timestamp("2022-12-01"))
        self.n_months = len(self.calendar)
        self.calendar_month = self.calendar.month.to_numpy()
        self.t = 0
        self.flows = Flows()
        self.population = 20_000
        self.structure = SimpleNamespace(
            n_townships=2, township_names=["甲街道", "乙镇"], township_names_en=["Jia", "Yi"],
            township_county=np.zeros(2, np.int64), township_street=np.array([True, False]),
            n_counties=1, n_prefectures=1, county_fiscal_capacity=np.ones(1), county_speed=np.ones(1),
            n_communities=4, community_population=np.full(4, 5_000))
        self.community_prefecture = np.zeros(4, np.int64)
        self.townships = Townships(self.structure)
        self.township_prefecture = np.zeros(2, np.int64)
        self.ledger = Ledger()
        self.workforce = Workforce(self, capacity=64)
        self.agencies = Agencies(self)
        self.stations = Stations(self)

    @property
    def workers(self):
        return self.workforce.rows

    def contracted_station(self, town: int = 0, staff: int = 3):
        """A station bought from a new agency, staffed, its contract ending now."""
        agency = self.agencies.enter(prefecture=0)
        tw = self.townships
        tw.funded[town] = True
        tw.mode[town] = MODE_PURCHASE
        tw.agency[town] = agency.unique_id
        tw.positions[town] = staff
        tw.station_money[town] = self.params.station_budget_yuan
        tw.contract_end[town] = self.t - 1
        agency.contracts.add(town)
        self.workforce.add(staff, ROLE_STATION_PURCHASE, township=town, agency=agency.unique_id,
                           rng=self.streams["initial"], initial=True, cert_share=0.0)
        return agency


# ---------------------------------------------------------------- workforce (ODD §7.4, §7.6, §7.7)

def test_a_worker_who_failed_the_exam_twice_is_more_likely_to_leave():
    m = Bench()
    w = m.workforce
    idx = w.add(2, ROLE_AGENCY, township=-1, agency=1, rng=m.streams["initial"], cert_share=0.0)
    w.rows.hired[idx] = -20  # same tenure band
    w.rows.fails[idx[1]] = 2
    p = w.leave_probability()[idx]
    assert p[1] > p[0]
    annual = -np.expm1(12 * np.log1p(-p[0]))  # back from the monthly probability to the annual hazard
    assert p[1] == pytest.approx(float(monthly(annual * SCHEMA["failed_exam_turnover_mult"].default)))


def test_better_pay_keeps_social_workers_longer():
    low, high = Bench(sw_pay_ratio=0.6), Bench(sw_pay_ratio=1.2)
    probs = []
    for m in (low, high):
        m.workforce.add(1, ROLE_AGENCY, township=-1, agency=1, rng=m.streams["initial"], cert_share=0.0)
        probs.append(m.workforce.leave_probability()[0])
    assert probs[1] < probs[0]


def test_certificates_arrive_with_the_results_and_leavers_join_the_pool_outside():
    m = Bench()
    w = m.workforce
    idx = w.add(3, ROLE_COMMUNITY, township=0, community=0, rng=m.streams["initial"], cert_share=0.0)
    w.rows.cert[idx[2]] = CERT_ASSISTANT
    w.separate(idx[1:2], why=LEFT_CONTRACT_LOST)  # passed, then left before the results
    before = w.certified_outside
    w._exam_result = (idx, 5)  # all three passed; five external candidates too
    m.t = 3
    w.award_certificates()
    assert list(w.rows.cert[idx]) == [CERT_ASSISTANT, CERT_ASSISTANT, CERT_INTERMEDIATE]
    assert list(w.rows.cert_month[idx]) == [3, 3, 3]
    assert w.certified_outside == before + 5 + 1
    assert w.exam_passed_this_year == 3 + 5


def test_hiring_draws_certified_people_from_the_pool_outside():
    m = Bench(certified_hire_share=1.0)
    w = m.workforce
    w.certified_outside = 2
    idx = w.add(5, ROLE_AGENCY, township=-1, agency=1, rng=m.streams["hiring"])
    assert int((w.rows.cert[idx] == CERT_ASSISTANT).sum()) == 2
    assert w.certified_outside == 0
    assert m.flows["sw_hired"] == 5


# ---------------------------------------------------------------- stations (ODD §7.2, §7.3)

def _review(delivered: float, **params):
    """Review a contract whose station delivered this share of its plan each month (ODD §7.3)."""
    m = Bench(**params)
    agency = m.contracted_station()
    tw = m.townships
    tw.eval_sum[0], tw.eval_n[0] = 12 * delivered, 12
    m.stations.purchaser_of(0).review(0)
    return m, agency, tw


def test_an_expiring_contract_below_the_pass_mark_is_re_tendered():
    m, agency, tw = _review(PASS_MARK - 0.4)
    assert tw.tender_ready[0] == m.t + m.params.tender_months
    assert tw.history[-1][2] == "re-tender"
    assert tw.agency[0] == agency.unique_id  # the incumbent runs the station until the tender concludes
    assert tw.failed[0]  # and bids without the incumbent's edge
    assert agency.reputation < SCHEMA["agency_quality_mean"].default  # buyers learnt from the score
    assert m.flows["evaluations_failed"] == 1


def test_an_expiring_contract_above_the_pass_mark_is_renewed():
    m, agency, tw = _review(PASS_MARK + 0.35)
    assert tw.tender_ready[0] == -1
    assert tw.contract_end[0] == m.t + 12 * m.params.contract_years - 1
    assert tw.history[-1][2] == "contract renewed"


def test_renewal_rule_always_renews_a_poor_contract():
    m, agency, tw = _review(0.0, renewal_rule="always")
    assert tw.history[-1][2] == "contract renewed"


def test_a_station_the_budget_does_not_renew_closes_and_its_staff_leave():
    m = Bench()
    m.contracted_station()
    m.townships.renew[0] = False
    m.stations.purchaser_of(0).review(0)
    assert not m.townships.funded[0] and m.townships.agency[0] == -1
    assert not m.workers.view("alive").any()
    assert m.workforce.month_station_leavers == 3


def test_a_tender_goes_to_the_better_bidder_and_the_incumbent_is_favoured():
    m = Bench()
    incumbent = m.contracted_station()
    rival = m.agencies.enter(prefecture=0, posts=STATION_BID_STAFF)  # a team: it may bid
    incumbent.reputation, rival.reputation = 0.5, 0.55  # within the incumbent's advantage
    edge = m.params.incumbent_edge
    scores = tender.bid_scores([0.5, 0.55], [True, False], edge, 0.0, np.random.default_rng(0))
    assert tender.award(scores) == 0
    rival.reputation = 5.0  # far ahead whatever the noise
    m.stations.purchaser_of(0).tender(0, incumbent.unique_id)
    assert m.townships.agency[0] == rival.unique_id
    assert 0 in rival.contracts and 0 not in incumbent.contracts
    # staff either moved to the winner or left (contract lost)
    w = m.workers
    assert set(w.view("agency")[w.view("alive")]) <= {rival.unique_id}


def test_an_agency_without_a_team_does_not_bid_for_a_station():
    m = Bench(agency_entry_prob=0.0)
    incumbent = m.contracted_station()
    small = m.agencies.enter(prefecture=0, posts=STATION_BID_STAFF - 1)
    small.reputation = 5.0
    bidders = m.agencies.bidders(0, incumbent.unique_id, m.streams["tender"])
    assert small not in bidders and incumbent in bidders
    small.posts = STATION_BID_STAFF
    assert small in m.agencies.bidders(0, incumbent.unique_id, m.streams["tender"])


# ---------------------------------------------------------------- agencies (ODD §7.12)

def test_an_agency_with_no_reserves_folds_and_its_station_goes_to_tender():
    m = Bench()
    agency = m.contracted_station()
    agency.reserves = -1e9
    m.agencies.step()
    assert agency.unique_id not in m.agencies.by_id
    assert m.townships.agency[0] == -1
    assert m.townships.tender_ready[0] == m.t + m.params.tender_months
    assert not m.workers.view("alive").any()


def test_an_agency_with_work_and_reserves_stays():
    m = Bench()
    agency = m.contracted_station()
    agency.reserves = 1e6
    m.agencies.step()
    assert agency.unique_id in m.agencies.by_id
    assert agency.reserves < 1e6  # it paid its staff
    assert m.flows["wages_yuan"] == pytest.approx(3 * m.workforce.month_cost())


def test_an_idle_agency_folds_after_a_year():
    m = Bench()
    agency = m.agencies.enter(prefecture=0)
    agency.reserves = 1e6
    for _ in range(11):
        m.agencies.step()
    assert agency.unique_id in m.agencies.by_id
    m.agencies.step()
    assert agency.unique_id not in m.agencies.by_id


def test_the_market_outside_stations_grows_and_buys_projects_from_entrants_or_incumbents():
    from model.core.agencies import PROJECT_POSTS

    # every new project to a new agency: the market's growth founds agencies of PROJECT_POSTS posts
    m = Bench(agency_project_growth=0.2, project_entry_share=1.0)
    m.agencies.enter(prefecture=0, posts=100)
    m.agencies.market_posts[:] = 100.0
    for _ in range(12):
        m.agencies.grow_market(m.streams["market"])
    posts = sum(a.posts for a in m.agencies.by_id.values())
    assert 100 + 20 - PROJECT_POSTS <= posts <= 120  # whole projects of the 20 new posts
    assert len(m.agencies.by_id) == 1 + (posts - 100) // PROJECT_POSTS
    assert all(a.posts == PROJECT_POSTS for a in list(m.agencies.by_id.values())[1:])
    # none to new agencies: the incumbent takes them all
    m = Bench(agency_project_growth=0.2, project_entry_share=0.0)
    incumbent = m.agencies.enter(prefecture=0, posts=100)
    m.agencies.market_posts[:] = 100.0
    for _ in range(12):
        m.agencies.grow_market(m.streams["market"])
    assert list(m.agencies.by_id) == [incumbent.unique_id] and incumbent.posts > 100
    # an agency that folds leaves its projects to be bought again
    incumbent.fold()
    m.agencies.grow_market(m.streams["market"])
    assert sum(a.posts for a in m.agencies.by_id.values()) >= m.agencies.market_posts[0] - PROJECT_POSTS
    # no growth, no vacated posts: nothing is bought
    m = Bench(agency_project_growth=0.0, project_entry_share=1.0)
    m.agencies.enter(prefecture=0, posts=10)
    m.agencies.market_posts[:] = 10.0
    m.agencies.grow_market(m.streams["market"])
    assert len(m.agencies.by_id) == 1


# ---------------------------------------------------------------- the budget ledger (ODD §7.1)

def test_spending_is_capped_by_the_line_and_a_new_year_closes_the_lines():
    ledger = Ledger()
    ledger.set_lines({"stations": 100.0})
    assert ledger.spend("stations", 60.0) == 60.0
    assert ledger.spend("stations", 60.0) == 40.0
    assert ledger.spend("stations", 1.0) == 0.0
    assert ledger.spent() == 100.0
    p = Params.from_overrides({"fiscal_squeeze": 0.2, "fiscal_shock_prob": 0.0})
    ledger.new_year(p, np.random.default_rng(0))
    assert not ledger.fiscal_shock  # the squeeze itself is applied once, to the year's plan (plan_envelope)
    assert ledger.budget_year["stations"] == 0.0 and ledger.budget_closed["stations"] == 100.0
    assert ledger.budgeted() == 100.0


def test_flows_are_declared():
    flows = Flows()
    flows["sw_left"] += 2
    assert flows["sw_left"] == 2 and flows["wages_yuan"] == 0.0
    with pytest.raises(KeyError, match="not a declared flow"):
        flows["gov_to_orgs_yuan"] = 1.0


def test_each_indicator_is_computed_by_its_declaration():
    from model import FiveSocietyModel
    from model.indicators import INDICATORS

    assert all(callable(i.compute) for i in INDICATORS.values()), [n for n, i in INDICATORS.items() if not i.compute]
    outputs = (MODEL_DIR / "core" / "outputs.py").read_text(encoding="utf-8")
    named = [n for n in INDICATORS if f'"{n}"' in outputs or f"'{n}'" in outputs]
    assert not named, f"indicators computed in core/outputs.py, away from their declaration: {named}"
    m = FiveSocietyModel(region="demo", seed=2, start="2021-01", end="2021-03")
    m.step()
    assert list(m.indicators) == list(INDICATORS)
    assert m.indicators["stations"] == int(m.townships.has_station.sum())


def test_the_dashboard_draws_only_flows_the_model_writes():
    from model import FiveSocietyModel
    from model.dashboard.charts import FLOW_EDGES
    from model.indicators import FLOWS

    m = FiveSocietyModel(region="demo", seed=1, start="2021-01", end="2021-12", params={"startup_grant_yuan": 5000})
    written = set()
    while m.running:
        m.step()
        written |= set(m.flows)
    assert written <= set(FLOWS)
    assert {edge[0] for edge in FLOW_EDGES} <= written


# ---------------------------------------------------------------- organisations and incubation (ODD §7.8)

def test_incubation_bases_are_places_that_cost_by_level_and_take_young_organisations():
    m = Bench()
    m.communities = SimpleNamespace(n=4, township=np.array([0, 0, 1, 1]))
    m.community_county = np.zeros(4, np.int64)
    org = OrganisationSector(m, capacity=64)
    org.build_bases(1.0, 0.0, 1.0, m.streams["initial"], as_shares_of_all=True)
    assert org.bases()["city"].tolist() == [True] and not org.county_base.any()
    assert m.townships.street_base.tolist() == [True, False]  # only the street holds a street base
    assert {type(a).__name__ for a in m.agents} <= {"Purchaser", "Agency"}  # a base is no agent
    p = m.params
    assert org.incubator_month_cost() == (p.incubator_city_cost_yuan + p.incubator_street_cost_yuan) / 12
    young = org.rows.add(40, alive=True, community=np.repeat([0, 2], 20), founded=0)
    org.incubate()
    o = org.rows
    inside = young[o.incubated_until[young] >= 0]
    assert (o.base[inside] == 0).sum() == BASE_SLOTS["city"]  # the city base fills its 30 places first
    street = inside[o.base[inside] == 2]
    assert len(street) and (o.community[street] < 2).all()  # the street base takes only its own township's
    left_in_street = np.setdiff1d(young[o.community[young] < 2], inside)
    assert len(street) == BASE_SLOTS["street"] or len(left_in_street) == 0
    assert (o.incubated_until[inside] == m.t + p.incubation_months).all()


@pytest.mark.parametrize(("months", "max_age"), [(6, 24), (12, 6)])
def test_incubation_length_and_age_limit_are_parameters(months, max_age):
    m = Bench(incubation_months=months, incubation_max_age_months=max_age)
    m.t = 10
    m.communities = SimpleNamespace(n=4, township=np.array([0, 0, 1, 1]))
    m.community_county = np.zeros(4, np.int64)
    org = OrganisationSector(m, capacity=64)
    org.build_bases(1.0, 0.0, 0.0, m.streams["initial"], as_shares_of_all=True)
    rows = org.rows.add(8, alive=True, community=np.zeros(8, np.int64), founded=np.array([0, 9] * 4))  # 10 and 1 month old
    org.incubate()
    taken = rows[org.rows.incubated_until[rows] >= 0]
    assert (m.t - org.rows.founded[taken] < max_age).all() and len(taken) == (8 if max_age > 10 else 4)
    assert (org.rows.incubated_until[taken] == m.t + months).all()


# ---------------------------------------------------------------- structure

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(MODEL_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """Modules of ``model`` imported at a module's top level (``if TYPE_CHECKING`` blocks included)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    body = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while body:
        node = body.pop(0)
        if isinstance(node, (ast.If, ast.Try)):
            body.extend(node.body + getattr(node, "orelse", []) + [h for x in getattr(node, "handlers", []) for h in x.body])
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:
                    out.add(f"{target}.{alias.name}")
                elif target in modules:
                    out.add(target)
    return out - {name}


def test_no_module_in_model_imports_in_a_circle():
    paths = {_module_name(p): p for p in MODEL_DIR.rglob("*.py")}
    graph = {name: _imports(path, name, set(paths)) for name, path in paths.items()}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import circle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert graph["model.core.stations"], "the import graph found no imports: the parser is broken"


def test_no_class_of_the_core_or_the_schedule_is_longer_than_a_few_hundred_lines():
    files = [*sorted((MODEL_DIR / "core").glob("*.py")), MODEL_DIR / "simulation.py"]
    sizes = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                sizes[f"{path.name}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert "simulation.py:FiveSocietyModel" in sizes
    long = {k: v for k, v in sizes.items() if v > MAX_CLASS_LINES}
    assert not long, f"classes over {MAX_CLASS_LINES} lines: {long}"


def test_benchmarks_live_in_the_bench_subpackage():
    assert not sorted(p.name for p in MODEL_DIR.glob("bench*.py")), "benchmark modules at the package root"
    assert (MODEL_DIR / "bench" / "levers.py").is_file()


# A month is turned into a day, a month end or a count of months only in core/calendar.py.
MONTH_CONVERSION = re.compile(r"MonthEnd|MonthBegin|to_timestamp\(|\bPeriod\(|\.year\s*\*\s*12|\.year\s*-\s*[\w.]+\.year"
                              r"|freq=[\"']M[ES]?[\"']")


def _month_conversions(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if MONTH_CONVERSION.search(line)]


def test_months_are_converted_only_in_the_calendar():
    found = {}
    for path in sorted(MODEL_DIR.rglob("*.py")):
        if path == MODEL_DIR / "core" / "calendar.py":
            continue
        lines = _month_conversions(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(MODEL_DIR))] = lines
    assert not found, f"months converted outside model/core/calendar.py (use its helpers): {found}"
    assert _month_conversions((MODEL_DIR / "core" / "calendar.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("line", [
    'end = ts + pd.offsets.MonthEnd(0)',
    'pd.Period(month, "M").to_timestamp(how="end")',
    'months = (b.year - a.year) * 12 + b.month - a.month',
    'key = d.year * 12 + d.month',
    'pd.date_range(a, b, freq="ME")',
])
def test_the_month_test_sees_a_conversion(line):
    assert _month_conversions(line) == [line]


def test_the_calendar_converts_months_as_the_model_reads_them():
    from model.core.calendar import month_end, month_index, parse_month

    for value in ("2024-02", "2024-02-10", pd.Timestamp("2024-02-29 13:00"), pd.Timestamp("2024-02-01").date()):
        assert month_end(value) == pd.Timestamp("2024-02-29")
        assert parse_month(value) == pd.Timestamp("2024-02-01")
    assert month_end("2024-12", months_after=1) == pd.Timestamp("2025-01-31")
    assert month_index(pd.Timestamp("2023-11-01"), pd.Timestamp("2025-02-28")) == 15
    with pytest.raises(ValueError, match="month"):
        month_end("not a month")


def test_the_import_test_sees_a_circle():
    """The circle test can fail: two modules importing each other are caught."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "model"
        pkg.mkdir()
        (pkg / "a.py").write_text("from .b import x\n")
        (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n")
        modules = {"model.a", "model.b"}
        a = _imports(pkg / "a.py", "model.a", modules)
        b = _imports(pkg / "b.py", "model.b", modules)
    assert a == {"model.b"} and b == {"model.a"}


def test_incubation_order_is_lexsorts_by_area_then_uniform():
    """The packed-key sort of incubation candidates gives exactly ``np.lexsort((u, area))``."""
    from model.core.organisations import _by_area_at_random

    rng = np.random.default_rng(5)
    area = rng.integers(0, 40, 3000)
    u = rng.random(3000)
    u[10:20] = u[0]  # ties keep the original order, as lexsort does
    np.testing.assert_array_equal(_by_area_at_random(area, u), np.lexsort((u, area)))
    big = np.array([5000, 3, 5000, 3])  # areas beyond the packed key fall back to lexsort
    np.testing.assert_array_equal(_by_area_at_random(big, u[:4]), np.lexsort((u[:4], big)))


def test_monthly_hazard_of_an_array_matches_the_scalar_formula():
    h = np.array([0.0, 0.1, 0.5, 0.95, 1.0, 2.0])
    want = [1.0 - (1.0 - min(x, 0.95)) ** (1.0 / 12.0) for x in h]
    np.testing.assert_array_equal(monthly(h), np.array([float(monthly(x)) for x in h]))
    np.testing.assert_allclose(monthly(h), want, rtol=1e-15)
    assert h[1] == 0.1  # the input is left as it was


def test_rank_in_run_counts_places_among_equal_sorted_values():
    from model.core.organisations import _rank_in_run

    a = np.sort(np.random.default_rng(2).integers(0, 30, 500))
    np.testing.assert_array_equal(_rank_in_run(a), np.arange(len(a)) - np.searchsorted(a, a, side="left"))
    assert _rank_in_run(np.array([], np.int64)).tolist() == []
    assert _rank_in_run(np.array([4])).tolist() == [0]


def test_one_station_rules_on_floats_match_the_array_rules():
    """Evaluation and reputation of one station take the scalar path: the same draw and arithmetic."""
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    for delivered in (0.0, 0.42, 0.97, 1.0):
        one = tender.evaluation_score(delivered, 0.2, a)
        many = tender.evaluation_score(np.array([delivered]), 0.2, b)
        assert isinstance(one, float) and one == many[0]
    rep, n = tender.update_reputation(0.7, 3, 0.55, 0.8, 2.0)
    reps, ns = tender.update_reputation(np.array([0.7]), np.array([3]), np.array([0.55]), 0.8, 2.0)
    assert rep == reps[0] and n == ns[0] == 4

