"""ODD §7.4, §7.6 and §7.7: the social-work workforce: hiring, the exam, turnover.

``Workforce`` owns the worker rows (``state.Workers``: social workers in stations and
agencies, community workers), the certified social workers outside any post
(``certified_outside``) and the uncertified practitioners the statistics count as
social-work talent outside those posts (``practitioners``: civil affairs, health, schools,
courts, NGOs, community posts), a stock with inflows and outflows. Hiring fills vacant
posts (ODD §7.4); the national exam is sat in June by the region's share of the national
registrants and its results arrive three months later (§7.6); workers leave at an annual
hazard from pay, allowances, contract, administration, tenure and exam failures (§7.7).

``sw_talent`` = certified (in posts and outside) + uncertified social workers in stations
and agencies + ``practitioners`` (ODD §7.6).
"""

from __future__ import annotations

import numpy as np

from ..exam_history import NATIONAL_POPULATION, exam_history
from . import labour_market
from .state import (
    CERT_ASSISTANT,
    CERT_INTERMEDIATE,
    CERT_NONE,
    LEFT_CONTRACT_LOST,
    LEFT_QUIT,
    LEFT_STATION_CLOSED,
    MODE_DIRECT,
    MODE_PURCHASE,
    ROLE_COMMUNITY,
    ROLE_STATION_DIRECT,
    ROLE_STATION_PURCHASE,
    Workers,
)
from .streams import bulk_flow, monthly

__all__ = ["Workforce", "REFERENCE_PAY_RATIO", "INITIAL_CERT_SHARE", "allowance_pull", "PLAN_ISSUED",
           "PLAN_DEADLINE", "CW_SIT_REFERENCE_YEAR"]

# Hubei's 14th-FYP community-services plan, issued 2022-03, for 2025 (§1b.community_services_plan, READ)
PLAN_ISSUED, PLAN_DEADLINE = 2022, 2025
# cw_exam_sit_share is the 2021 level; other years scale with national registrants (§2b.2015 to §2b.2022)
CW_SIT_REFERENCE_YEAR = 2021



# The pay ratio at which ``sw_cost_yuan``, ``hire_fill_prob`` and the turnover rates are quoted:
# the default of the lever ``sw_pay_ratio`` (EST, §2h.pay: agency median ≈3,000 yuan against
# >4,000 for the same graduates). Pay above it hires faster and keeps staff longer.
REFERENCE_PAY_RATIO = 0.75
# Certified share of agency and station social workers at the start (assumption; cf. §3.fujian:
# 2.3万 of 5.3万 SW talent certified)
INITIAL_CERT_SHARE = 0.35
# Staff in post at the start were hired up to this many months before it, uniformly (assumption)
INITIAL_TENURE_MAX_MONTHS = 72
# Hiring (ODD §7.4). A vacancy's monthly chance of being filled is capped (assumption); town
# stations fill 1.2× as fast as street ones: rural stations draw many local applicants while
# graduates are reluctant (assumption on §5.why_sws_leave); community-worker posts are local and
# sought after: half the vacancies fill each month (assumption).
CW_POST_FILL = 0.5
# Town stations look better paid than street ones against local alternatives (assumption: county
# pay 2,000–3,000 yuan a month against 5,000–8,000 in large cities, §2h.pay_bands (L); rural
# station jobs attract many local applicants, §5.why_sws_leave)
TOWN_PAY_ADVANTAGE = 1.2
# The exam (ODD §7.6). Certificate allowances draw community workers to sit: +50% at
# 200 yuan a month (assumption; §1b.certificate_allowance: allowances of 100/200/300 yuan), capped at 90%
# a year. Assistants sit the intermediate exam after three years, ``intermediate_sit_share`` a
# year (schema), and pass at 0.7 times the odds (assumptions: the higher exam is harder). Training's odds
# ratio ``training_odds_ratio`` is quoted at 1,000 yuan (its unit in the schema).
ALLOWANCE_PULL = 0.5
ALLOWANCE_PULL_YUAN = 200.0
MAX_CW_SIT_SHARE = 0.9
INTERMEDIATE_MIN_TENURE_MONTHS = 36
INTERMEDIATE_EXAM_ODDS = 0.7
TRAINING_ODDS_YUAN = 1000
EXAM_RESULT_MONTHS = 3  # results are published about three months after the exam (assumption)
# Turnover (ODD §7.7). New staff leave most, veterans least: ×1.2 in the first year, ×0.9 in
# years two and three, ×0.7 after (assumption: most leavers go early, §2h.early_attrition; scaled so that
# a workforce growing as stations open quits at about ``sw_turnover_base``); two failed
# exams × ``failed_exam_turnover_mult`` (schema); administration above a 35% share of hours pushes
# staff out at ``admin_turnover_effect`` (the share stations report, §5.administrative_absorption); 1-year contracts
# are neutral (the observed turnover comes from them, §2g.employment_contracts, §2h.turnover_cities), three years ÷
# ``insecure_contract_mult`` (schema source).
TENURE_BANDS_MONTHS = (12, 36)
TENURE_TURNOVER_MULT = (1.2, 0.9, 0.7)
FAILS_DISCOURAGED = 2
ADMIN_REFERENCE_SHARE = 0.35
NEUTRAL_CONTRACT_YEARS = 1


def allowance_pull(p) -> float:
    """How much certificate allowances multiply community workers' chance of sitting the exam."""
    return 1 + ALLOWANCE_PULL * p.cert_allowance_yuan / ALLOWANCE_PULL_YUAN


class Posts:
    """Where workers are in post, kept as they join and leave (``Workforce.add``, ``separate``):
    community workers per community, station staff per township, and the station rows of a
    township (an index built once per version of the rows, instead of a pass over every row)."""

    def __init__(self, rows: Workers, n_communities: int, n_townships: int):
        self.rows = rows
        self.cw_by_community = np.zeros(n_communities, np.int64)
        self.staff_by_township = np.zeros(n_townships, np.int64)
        self._index = (-1, None, None)  # (rows' version, station rows by township, where each township starts)

    def joined(self, count: int, role: int, township, community):
        """``count`` workers joined in ``role`` at ``township`` and ``community`` (arrays or one value)."""
        if role == ROLE_COMMUNITY:
            self.cw_by_community += np.bincount(np.broadcast_to(community, count), minlength=len(self.cw_by_community))
        elif role in (ROLE_STATION_PURCHASE, ROLE_STATION_DIRECT):
            self.staff_by_township += np.bincount(np.broadcast_to(township, count),
                                                  minlength=len(self.staff_by_township))

    def left(self, idx: np.ndarray, cw: np.ndarray, station: np.ndarray):
        """Rows ``idx`` left; ``cw`` and ``station`` mark the community workers and station staff among them."""
        w = self.rows
        self.cw_by_community -= np.bincount(w.community[idx[cw]], minlength=len(self.cw_by_community))
        self.staff_by_township -= np.bincount(w.township[idx[station]], minlength=len(self.staff_by_township))

    def station_rows(self, town: int) -> np.ndarray:
        """Rows of the township's station staff, past and present (callers keep those in post), in row order."""
        w = self.rows
        version, rows, starts = self._index
        if version != w.version:
            role = w.view("role")
            rows = np.flatnonzero((role == ROLE_STATION_PURCHASE) | (role == ROLE_STATION_DIRECT))
            towns = w.township[rows]
            order = np.argsort(towns, kind="stable")
            rows = rows[order]
            starts = np.searchsorted(towns[order], np.arange(len(self.staff_by_township) + 1))
            self._index = (w.version, rows, starts)
        return rows[starts[town]:starts[town + 1]]


class Workforce:
    """Social workers and community workers: who is in which post, certified, hired, leaving."""

    def __init__(self, model, capacity: int):
        self.model = model
        self.rows = Workers(capacity=capacity)
        self.posts = Posts(self.rows, model.structure.n_communities, model.structure.n_townships)
        self.certified_outside = 0  # certified social workers in no post of the model
        self.practitioners = 0  # uncertified practitioners counted as talent outside the model's posts
        self.exam_passed_this_year = 0
        self.month_station_leavers = 0  # station leavers this month
        self.leavers_station: list[int] = []  # station leavers per month
        self.staff_station: list[int] = []  # station staff per month
        self._exam_result = (np.zeros(0, np.int64), 0)  # (rows passed, external passes) awaiting award
        # the exam's year-to-year luck, one standard normal per calendar year, drawn up front so
        # that scenarios on the same seed share it whatever else differs (common random numbers)
        years = range(model.start.year, int(model.calendar[-1].year) + 1)
        self.exam_year_z = dict(zip(years, model.streams["exam"].standard_normal(len(years)), strict=True))
        # the labour market: candidates waiting per prefecture, starting with a year's entrants
        s = model.structure
        pref_pop = np.bincount(model.community_prefecture, s.community_population, s.n_prefectures)
        self.candidate_inflow = model.params.candidates_per_10k * pref_pop / 10_000 / 12  # a month
        self.job_seekers = self.candidate_inflow * 12

    def month_cost(self) -> float:
        """What one social worker costs an employer a month, yuan."""
        p = self.model.params
        return p.sw_cost_yuan * (p.sw_pay_ratio / REFERENCE_PAY_RATIO) / 12

    # -- joining and leaving
    def add(self, count, role, township, rng, community=-1, agency=-1, initial=False, cert_share=None):
        """``count`` new workers in a role; hires draw certified ones from the certified pool."""
        m = self.model
        count = int(count)
        if count <= 0:
            return np.zeros(0, np.int64)
        if cert_share is None:  # hires: certified ones come out of the certified pool
            want = rng.binomial(count, m.params.certified_hire_share)
            n_cert = min(want, self.certified_outside)
            self.certified_outside -= n_cert
            cert = np.zeros(count, np.int8)
            cert[rng.permutation(count)[:n_cert]] = CERT_ASSISTANT
        else:
            cert = (rng.random(count) < cert_share).astype(np.int8)
        hired = -rng.integers(0, INITIAL_TENURE_MAX_MONTHS, count) if initial else m.t
        if not initial:
            m.flows["sw_hired" if role != ROLE_COMMUNITY else "cw_hired"] += count
        self.posts.joined(count, role, township, community)
        return self.rows.add(count, alive=True, role=role, township=township, community=community,
                             agency=agency, cert=cert, hired=hired)

    def separate(self, idx: np.ndarray, why: int):
        """Workers leave their posts; the certified join the pool outside."""
        if len(idx) == 0:
            return
        m, w = self.model, self.rows
        w.alive[idx] = False
        w.left[idx] = m.t
        w.why_left[idx] = why
        self.certified_outside += int((w.cert[idx] > CERT_NONE).sum())
        cw = w.role[idx] == ROLE_COMMUNITY
        m.flows["sw_left"] += int(len(idx) - cw.sum())
        station = np.isin(w.role[idx], (ROLE_STATION_PURCHASE, ROLE_STATION_DIRECT))
        self.month_station_leavers += int(station.sum())
        self.posts.left(idx, cw, station)

    def change_employer(self, town: int, new_agency: int):
        """A station changes agency: some staff move to the new one, the rest leave."""
        m, w = self.model, self.rows
        here = self.posts.station_rows(town)
        staff = here[w.alive[here] & (w.role[here] == ROLE_STATION_PURCHASE)]
        stay = m.streams["tender"].random(len(staff)) < m.params.rebid_retention
        w.agency[staff[stay]] = new_agency
        self.separate(staff[~stay], why=LEFT_CONTRACT_LOST)

    def trim(self, towns, positions):
        """Stations whose new contract (or year) pays for fewer posts than staff: the latest hires go."""
        w = self.rows
        if np.ndim(towns) == 0 and self.model.townships.sw_staff[towns] <= positions:
            return  # one station, not overstaffed (the common case)
        towns = np.atleast_1d(np.asarray(towns))
        positions = np.atleast_1d(np.asarray(positions))
        over = self.model.townships.sw_staff[towns] > positions  # last month's staff: nobody joined since
        if not over.any():
            return
        towns, positions = towns[over], positions[over]
        for town, keep in zip(towns.tolist(), positions.tolist(), strict=True):
            here = self.posts.station_rows(town)
            staff = here[w.alive[here]]
            if len(staff) > keep:
                latest = staff[np.argsort(-w.hired[staff], kind="stable")][: len(staff) - keep]
                self.separate(latest, why=LEFT_CONTRACT_LOST)

    def close_station(self, town: int):
        """A station closes: its staff leave."""
        w = self.rows
        here = self.posts.station_rows(town)
        staff = here[w.alive[here]]
        self.separate(staff, why=LEFT_STATION_CLOSED)

    def leave_agency(self, agency_id: int):
        """An agency folds: everyone it employs leaves."""
        w = self.rows
        self.separate(np.flatnonzero(w.view("alive") & (w.view("agency") == agency_id)), why=LEFT_CONTRACT_LOST)

    # -- ODD §7.4 hiring into vacancies: the labour market
    def fill_chances(self, station_vac: np.ndarray, agency_vac: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """This month's chance to fill a vacancy, per township and per prefecture (agency posts): ODD §7.4."""
        m = self.model
        p, tw = m.params, m.townships
        n_pref = len(self.job_seekers)
        vac = (np.bincount(m.township_prefecture, station_vac, n_pref) + agency_vac)
        offer_town = p.sw_pay_ratio * np.where(tw.street, 1.0, TOWN_PAY_ADVANTAGE)
        args = (p.hire_fill_prob, p.reservation_pay_ratio, p.reservation_pay_sigma)
        p_town = labour_market.fill_probability(offer_town, self.job_seekers[m.township_prefecture],
                                                vac[m.township_prefecture], *args)
        p_agency = labour_market.fill_probability(p.sw_pay_ratio, self.job_seekers, vac, *args)
        return p_town, p_agency

    def hire(self):
        m = self.model
        p, tw, c = m.params, m.townships, m.communities
        rng = m.streams["hiring"]
        staff = self.posts.staff_by_township
        active = tw.funded & ((tw.mode == MODE_DIRECT) | (tw.agency >= 0))
        vac = np.where(active, np.maximum(tw.positions - staff, 0), 0)
        n_pref = len(self.job_seekers)
        agency_vac = m.agencies.vacancies()
        agency_vac_pref = np.bincount(agency_vac[1], agency_vac[2], n_pref)
        p_town, p_agency = self.fill_chances(vac, agency_vac_pref)
        hires = rng.binomial(vac, p_town)
        for mode, r in ((MODE_PURCHASE, ROLE_STATION_PURCHASE), (MODE_DIRECT, ROLE_STATION_DIRECT)):
            sel = hires * (tw.mode == mode)
            towns = np.repeat(np.arange(tw.n), sel)
            if len(towns):
                self.add(len(towns), r, township=towns, agency=tw.agency[towns], rng=rng)
        direct_hires = int((hires * (tw.mode == MODE_DIRECT)).sum())
        if direct_hires:  # townships recruit themselves (agencies' recruiting is in their fee)
            m.ledger.spend("stations", direct_hires * p.recruitment_cost_yuan)
        # agency project posts
        agency_hires = m.agencies.hire(agency_vac, p_agency, rng)
        hired = np.bincount(m.township_prefecture, hires, n_pref) + agency_hires
        self.job_seekers = labour_market.pool_step(self.job_seekers, self.candidate_inflow, hired,
                                                  p.candidate_drift)
        m.flows["sw_candidates"] = float(self.job_seekers.sum())
        # community-worker posts: local, sought after
        vac = np.maximum(c.worker_posts - self.posts.cw_by_community, 0)
        k = bulk_flow(rng, vac, CW_POST_FILL)
        comm = np.repeat(np.arange(c.n), k)
        if len(comm):
            self.add(len(comm), ROLE_COMMUNITY, township=c.township[comm], community=comm, rng=rng)

    # -- ODD §7.6 the national exam: sit in June, results three months later
    def candidates(self, year: int) -> float:
        """The region's exam candidates in ``year``: its share of national registrants (§2b.2015 to §2b.2022).

        National registrants are the record to 2022, then grow by ``exam_registrant_growth``;
        the region's share is its population share times ``exam_relative_propensity``.
        """
        m, p = self.model, self.model.params
        national = exam_history().national_registrants(year, p.exam_registrant_growth)
        return national * m.population / NATIONAL_POPULATION * p.exam_relative_propensity

    def cw_sit_share(self, year: int, pass_prob: float) -> np.ndarray:
        """Share of uncertified community workers sitting this year, by community.

        The base (``cw_exam_sit_share`` at its 2021 level, scaled by national registrants and
        raised by the certificate allowance) and, for urban community workers from the plan's
        issue to its deadline, ``cw_plan_compliance`` of the shortfall against the sitting the
        plan needs: (plan share − certified share) spread over the years left at this pass rate.
        """
        m, p, w = self.model, self.model.params, self.rows
        h = exam_history()
        trend = (h.national_registrants(year, p.exam_registrant_growth)
                 / h.national_registrants(CW_SIT_REFERENCE_YEAR, p.exam_registrant_growth))
        base = p.cw_exam_sit_share * allowance_pull(p) * trend
        c = m.communities
        share = np.full(c.n, base)
        if p.cw_plan_cert_share > 0 and PLAN_ISSUED <= year <= PLAN_DEADLINE:
            alive, role, cert, comm = w.view("alive"), w.view("role"), w.view("cert"), w.view("community")
            urban_cw = alive & (role == ROLE_COMMUNITY) & (comm >= 0)
            urban_cw[urban_cw] = c.urban[comm[urban_cw]]
            n = int(urban_cw.sum())
            now = float((urban_cw & (cert > 0)).sum() / n) if n else 1.0
            years_left = PLAN_DEADLINE - year + 1
            need = max(0.0, p.cw_plan_cert_share - now) / (years_left * pass_prob * max(1e-9, 1 - now))
            share[c.urban] = base + p.cw_plan_compliance * max(0.0, need - base)
        return np.minimum(share, MAX_CW_SIT_SHARE)

    def sit_exam(self):
        m = self.model
        p, w = m.params, self.rows
        rng = m.streams["exam"]
        year = int(m.calendar[m.t].year)
        year_shift = p.exam_year_sd * self.exam_year_z[year]
        h = exam_history()
        if year in h.pass_ratio:  # a past exam: that year's national ratio (data/exam_history.toml)
            pass_prob = h.pass_ratio[year]
            year_shift = 0.0
        else:
            pass_prob = p.exam_pass_prob
        base_logit = np.log(pass_prob / (1 - pass_prob)) + year_shift
        alive, cert, role = w.view("alive"), w.view("cert"), w.view("role")
        tenure = m.t - w.view("hired")
        u = rng.random(w.n)
        cw_share = self.cw_sit_share(year, pass_prob)[np.maximum(w.view("community"), 0)]
        sit_prob = np.where(role == ROLE_COMMUNITY, cw_share, p.in_post_exam_share)
        sit_assistant = alive & (cert == CERT_NONE) & (u < sit_prob)
        sit_inter = (alive & (cert == CERT_ASSISTANT) & (tenure >= INTERMEDIATE_MIN_TENURE_MONTHS)
                     & (u < p.intermediate_sit_share))
        sitters = np.flatnonzero(sit_assistant | sit_inter)
        in_post = w.alive[sitters]  # every candidate in a post (station, agency, community) may be trained
        bill = in_post.sum() * p.exam_training_yuan
        trained_share = m.ledger.spend("training", bill) / bill if bill > 0 else 0.0
        trained = in_post & (rng.random(len(sitters)) < trained_share)
        logit = base_logit + trained * np.log(p.training_odds_ratio) * p.exam_training_yuan / TRAINING_ODDS_YUAN
        logit = logit + np.where(cert[sitters] == CERT_ASSISTANT, np.log(INTERMEDIATE_EXAM_ODDS), 0.0)
        passed = rng.random(len(sitters)) < 1 / (1 + np.exp(-logit))
        # the rest of the region's candidates sit from outside the model's posts
        external = max(0, int(round(self.candidates(year))) - len(sitters))
        ext_pass = rng.binomial(external, 1 / (1 + np.exp(-base_logit)))
        w.fails[sitters[~passed]] += 1
        self._exam_result = (sitters[passed], int(ext_pass))
        m.flows["exam_candidates"] = float(len(sitters) + external)
        m.schedule_event(self.award_certificates, after=EXAM_RESULT_MONTHS)

    def award_certificates(self):
        idx, ext = self._exam_result
        w = self.rows
        w.cert[idx] = np.minimum(w.cert[idx] + 1, CERT_INTERMEDIATE)
        w.cert_month[idx] = self.model.t
        newly = int((w.cert[idx] == CERT_ASSISTANT).sum())
        gone = int((~w.alive[idx] & (w.cert[idx] == CERT_ASSISTANT)).sum())
        self.certified_outside += ext + gone  # certified after leaving the post
        # outside candidates who pass and were counted practitioners move to the certified
        from_practitioners = self.model.streams["talent"].binomial(ext, self.model.params.external_from_practitioners)
        self.practitioners -= min(self.practitioners, int(from_practitioners))
        self.exam_passed_this_year += newly + ext + int((w.cert[idx] == CERT_INTERMEDIATE).sum())

    # -- ODD §7.7 leaving
    def turnover(self):
        """Leaving: each worker in post leaves this month with their monthly probability (``leave_probability``)."""
        w = self.rows
        leave = w.alive[:w.n] & (self.model.streams["turnover"].random(w.n) < self.leave_probability())
        self.separate(np.flatnonzero(leave), why=LEFT_QUIT)
        self.practitioners_flow()

    def leave_probability(self) -> np.ndarray:
        """Each row's chance of leaving this month: an annual hazard from pay, allowance, contract,
        administration, tenure and exam failures, made monthly."""
        m = self.model
        p, tw, w = m.params, m.townships, self.rows
        n = w.n
        alive = w.alive[:n]
        role = w.role[:n]
        levels = np.arange(4)
        allowance = levels * p.cert_allowance_yuan * m.ledger.allowance_paid_ratio  # by certificate level
        pay_rel = (p.sw_pay_ratio * p.graduate_pay_yuan + allowance) / (REFERENCE_PAY_RATIO * p.graduate_pay_yuan)
        sw = p.sw_turnover_base * np.power(pay_rel, -p.pay_turnover_elasticity)
        cw = p.cw_turnover * np.power(1 + allowance / (REFERENCE_PAY_RATIO * p.graduate_pay_yuan),
                                      -p.pay_turnover_elasticity)
        table = np.vstack([
            sw * p.insecure_contract_mult ** ((NEUTRAL_CONTRACT_YEARS - p.contract_years) / 2),  # station, agency
            sw * p.direct_turnover_mult,  # station, direct
            sw,  # agency projects
            cw,  # community workers
        ])
        # community workers: a monthly hazard by certificate level, looked up
        month_p = monthly(table[ROLE_COMMUNITY])[w.cert[:n]]
        # social workers: tenure, exam failures and (in stations) administrative burden
        sw_idx = np.flatnonzero(alive & (role != ROLE_COMMUNITY))
        r = role[sw_idx]
        h = table[r, w.cert[sw_idx]]
        tenure = m.t - w.hired[sw_idx]
        band = (tenure >= TENURE_BANDS_MONTHS[0]).astype(np.int8) + (tenure >= TENURE_BANDS_MONTHS[1])
        h = (h * np.array(TENURE_TURNOVER_MULT)[band]
             * np.where(w.fails[sw_idx] >= FAILS_DISCOURAGED, p.failed_exam_turnover_mult, 1.0))
        admin = np.exp(p.admin_turnover_effect * (tw.admin_share - ADMIN_REFERENCE_SHARE))
        station = r <= ROLE_STATION_DIRECT
        h[station] *= admin[w.township[sw_idx][station]]
        month_p[sw_idx] = monthly(h)
        return month_p

    def practitioners_flow(self):
        """Uncertified practitioners enter the count (graduates, training, posts in other sectors) and leave it."""
        m, p = self.model, self.model.params
        rng = m.streams["talent"]
        inflow = rng.poisson(p.practitioner_inflow_per_10k * m.population / 10_000 / 12)
        outflow = rng.binomial(self.practitioners, monthly(p.practitioner_exit_rate))
        self.practitioners += int(inflow) - int(outflow)
