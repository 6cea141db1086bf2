"""Every level of the region: the target indicators and public spending by prefecture and county.

The province's indicators (``core/outputs.py``) are totals and shares over the whole region; a
prefecture or county bureau asks the same of its own area. ``UnitRecorder`` keeps, for each
prefecture and county, the counts behind each indicator that target sets judge (a share as its
numerator and denominator, so that the units add up to the province exactly) and the public
money spent there, at each year-end and at the run's last month (the shipped targets are
judged at year-ends). It reads the model's state and changes nothing: a run's numbers are the
same with or without it.

What is located where:

- station coverage, organisations per community, volunteer points, community workers certified:
  counted where the township, community or worker is;
- incubation bases: a city base (设区的市) belongs to its prefecture, a county base to its county;
  the county table leaves city bases out (its cell is empty: not judged at that level);
- social-work talent: workers in a township post where they work; agency staff in their agency's
  prefecture, shared among its counties by population; the certified and practitioners outside
  the model's posts (a province stock) shared by population (assumption: where people live).
  A province total's goal (80,000) is shared the same way, by population (``population``);
- public spending: each budget line's spending apportioned by what it pays for: station bills
  month by month by each township's bill (stations, and brand projects by operating stations);
  allowances by certified workers located as above, incubation bases by the bases' places,
  volunteer lines by points and active volunteers, grants by organisations alive, and the lines
  bought for everyone (exam training, platform, matching fund, party-building support) by
  population; the lines that need a count over communities or workers are apportioned once a
  year, at the year-end, by the year-end's counts. The units' spending adds up to the province's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..indicators import BUDGET_LINES
from .state import ROLE_COMMUNITY

__all__ = ["UnitRecorder", "UNIT_SHARES", "UNIT_TOTALS", "UNIT_COLUMNS", "LEVELS"]

LEVELS = ("prefecture", "county")

# Shares judged by target sets: each recorded as <name>_num and <name>_den per unit
UNIT_SHARES = (
    "station_coverage",
    "share_urban_communities_10plus_orgs",
    "share_rural_communities_5plus_orgs",
    "incubator_city_coverage",
    "incubator_county_coverage",
    "volunteer_point_coverage",
    "community_worker_certified_share",
)
# Totals judged by target sets, recorded as counts per unit (their goal shared by population)
UNIT_TOTALS = ("sw_talent",)
UNIT_COLUMNS = (["date", "level", "unit", "prefecture", "name", "name_en", "population"]
                + [f"{n}_{part}" for n in UNIT_SHARES for part in ("num", "den")]
                + list(UNIT_TOTALS) + ["public_spend_yuan"])

# budget lines apportioned month by month (township or fixed drivers), and once a year (counts)
_MONTHLY = ("stations", "brand", "training", "platform", "charity_match", "committees", "incubators")
_YEARLY = tuple(line for line in BUDGET_LINES if line not in _MONTHLY)


class UnitRecorder:
    """The per-unit table of one run (``FiveSocietyModel.unit_table``); ``record`` is called each month."""

    def __init__(self, m):
        s = m.structure
        self.n_c, self.n_p = s.n_counties, s.n_prefectures
        self.county_pref = np.asarray(s.county_prefecture)
        self.pop_c = np.asarray(m.county_population, float)
        self.pop_share = self.pop_c / self.pop_c.sum()
        # each county's share of its prefecture's population (for what is located by prefecture)
        pref_pop = np.bincount(self.county_pref, self.pop_c, self.n_p)
        self.within_pref = self.pop_c / np.maximum(pref_pop[self.county_pref], 1.0)
        self.comm_c = np.bincount(m.community_county, minlength=self.n_c).astype(float)
        self.spend_c = np.zeros(self.n_c)  # public spending so far, yuan, apportioned to counties
        self.pending = dict.fromkeys(_YEARLY, 0.0)  # spent on the yearly lines since the last year-end
        self.last = dict.fromkeys(BUDGET_LINES, 0.0)
        self.rows: list[dict[str, np.ndarray]] = []
        self.names = list(s.prefecture_names)
        self.names_en = [_prefecture_english(i, s, m) for i in range(self.n_p)]
        self.county_names = list(s.county_names)
        self.county_names_en = [_county_english(i, s, self.names_en) for i in range(self.n_c)]

    # ------------------------------------------------------------------ the month
    def record(self, m) -> None:
        """Apportion this month's spending; at a year-end (or the run's last month) take the counts."""
        ledger = m.ledger
        step = {}
        for line in BUDGET_LINES:
            now = ledger.spend_total[line]
            step[line] = now - self.last[line]
            self.last[line] = now
        tw = m.townships
        county = m.structure.township_county
        if step["stations"]:
            bills = m.stations.station_month_cost() * tw.has_station
            self._spread(step["stations"], np.bincount(county, bills, self.n_c))
        if step["brand"]:
            self._spread(step["brand"], np.bincount(county, tw.has_station, self.n_c))
        if step["incubators"]:
            org = m.organisations
            bases = (org.county_base.astype(float) + np.bincount(county, tw.street_base, self.n_c)
                     + org.city_base[self.county_pref] * self.within_pref)
            self._spread(step["incubators"], bases)
        for line in ("training", "platform", "charity_match"):
            if step[line]:
                self.spend_c += step[line] * self.pop_share
        if step["committees"]:
            self._spread(step["committees"], self.comm_c)
        for line in _YEARLY:
            self.pending[line] += step[line]
        last = m.t + 1 >= m.n_months
        if m.calendar_month[m.t] == 12 or last:
            workers = self._workers(m)
            self._year_end(m, workers[1])
            self.rows.append(self._snapshot(m, workers[0]))

    def _spread(self, amount: float, weights: np.ndarray) -> None:
        total = float(weights.sum())
        self.spend_c += amount * (weights / total if total > 0 else self.pop_share)

    def _year_end(self, m, cert_levels: np.ndarray) -> None:
        """Apportion the year's spending on the lines whose drivers are counts over communities or workers."""
        c = m.communities
        cc = m.community_county
        if self.pending["allowances"]:
            self._spread(self.pending["allowances"], cert_levels[:, [1, 3]].sum(axis=1))
        if self.pending["volunteers"]:
            points = np.bincount(cc, c.has_volunteer_point & c.facility, self.n_c)
            active = np.bincount(cc, c.volunteers_active, self.n_c)
            # the points' share of the line is what the points cost; incentives go with active volunteers
            p = m.params
            cost_points = float(points.sum()) * p.volunteer_point_cost_yuan
            cost_active = float(active.sum()) * p.volunteer_incentive_yuan * 12
            w_points = cost_points / (cost_points + cost_active) if cost_points + cost_active > 0 else 0.5
            weights = (w_points * points / max(points.sum(), 1)
                       + (1 - w_points) * active / max(active.sum(), 1))
            self._spread(self.pending["volunteers"], weights)
        if self.pending["grants"]:
            self._spread(self.pending["grants"], np.bincount(cc, c.orgs, self.n_c))
        for line in _YEARLY:
            if line not in ("allowances", "volunteers", "grants") and self.pending[line]:
                self.spend_c += self.pending[line] * self.pop_share
        self.pending = dict.fromkeys(_YEARLY, 0.0)

    # ------------------------------------------------------------------ the counts
    def _workers(self, m) -> tuple[np.ndarray, np.ndarray]:
        """Workers in post per county and kind, (counties × 4) for kind = 2·community worker + certified,
        as heads and as certificate levels (the allowance's driver). A worker counts where the post is;
        agency staff in their agency's prefecture, shared among its counties by population; anyone else
        (the staff of an agency that folded this month) by population."""
        w = m.workers
        alive = np.flatnonzero(w.view("alive"))
        town = w.view("township")[alive]
        cert = w.view("cert")[alive]
        kind = 2 * (w.view("role")[alive] == ROLE_COMMUNITY) + (cert > 0)
        here = town >= 0
        where = m.structure.township_county[town[here]] * 4 + kind[here]
        heads = np.bincount(where, minlength=4 * self.n_c).astype(float).reshape(self.n_c, 4)
        levels = np.bincount(where, cert[here], 4 * self.n_c).reshape(self.n_c, 4)
        away = np.flatnonzero(~here)
        if len(away):
            ids, inverse = np.unique(w.view("agency")[alive[away]], return_inverse=True)
            by_id = m.agencies.by_id
            pref = np.array([by_id[int(i)].prefecture if int(i) in by_id else -1 for i in ids])[inverse]
            known = pref >= 0
            k_away, c_away = kind[away], cert[away].astype(float)
            for out, weight in ((heads, None), (levels, c_away)):
                at = np.bincount(pref[known] * 4 + k_away[known], None if weight is None else weight[known],
                                 4 * self.n_p).reshape(self.n_p, 4)
                out += at[self.county_pref] * self.within_pref[:, None]
                rest = np.bincount(k_away[~known], None if weight is None else weight[~known], 4)
                out += rest[None, :] * self.pop_share[:, None]
        return heads, levels

    def _snapshot(self, m, heads: np.ndarray) -> dict[str, np.ndarray]:
        """This month's counts: the prefectures' rows, then the counties' (columns of ``UNIT_COLUMNS``)."""
        s = m.structure
        tw, c, org = m.townships, m.communities, m.organisations
        n_c, n_p = self.n_c, self.n_p
        tc, cc = s.township_county, m.community_county
        cols: dict[str, np.ndarray] = {"population": self.pop_c}

        def bc(index, weights=None):
            return np.bincount(index, weights, n_c).astype(float)

        cols["station_coverage_num"] = bc(tc, tw.has_station)
        cols["station_coverage_den"] = bc(tc)
        urban, rural = c.urban, ~c.urban
        cols["share_urban_communities_10plus_orgs_num"] = bc(cc, urban & (c.orgs >= 10))
        cols["share_urban_communities_10plus_orgs_den"] = bc(cc, urban)
        cols["share_rural_communities_5plus_orgs_num"] = bc(cc, rural & (c.orgs >= 5))
        cols["share_rural_communities_5plus_orgs_den"] = bc(cc, rural)
        # a city base is the prefecture's: the county rows leave it out (0 of 0)
        cols["incubator_city_coverage_num"] = np.zeros(n_c)
        cols["incubator_city_coverage_den"] = np.zeros(n_c)
        is_county = ~np.asarray(s.county_district, bool)
        cols["incubator_county_coverage_num"] = (org.county_base & is_county).astype(float)
        cols["incubator_county_coverage_den"] = is_county.astype(float)
        cols["volunteer_point_coverage_num"] = bc(cc, c.has_volunteer_point & c.facility)
        cols["volunteer_point_coverage_den"] = bc(cc, c.facility)
        # heads (``_workers``), columns: social-work roles uncertified, certified; community workers the same
        cols["community_worker_certified_share_num"] = heads[:, 3]
        cols["community_worker_certified_share_den"] = heads[:, 2] + heads[:, 3]
        # talent as outputs.indicators counts it: certified anywhere, uncertified in social-work roles,
        # and the province's stocks outside the posts, shared by population
        located = heads[:, 0] + heads[:, 1] + heads[:, 3]
        outside = float(m.workforce.certified_outside + m.workforce.practitioners)
        cols["sw_talent"] = located + outside * self.pop_share
        cols["public_spend_yuan"] = self.spend_c.copy()
        # prefectures: the sums of their counties, and the city bases they hold
        out = {k: np.concatenate([np.bincount(self.county_pref, v, n_p), v]) for k, v in cols.items()}
        city = np.asarray(s.prefecture_city, bool)
        out["incubator_city_coverage_num"][:n_p] = org.city_base & city
        out["incubator_city_coverage_den"][:n_p] = city
        out["date"] = np.full(n_p + n_c, m.calendar[m.t].to_datetime64())
        return out

    def table(self) -> pd.DataFrame:
        """Every recorded year-end: one row per prefecture and county (``UNIT_COLUMNS``)."""
        if not self.rows:
            return pd.DataFrame({k: [] for k in UNIT_COLUMNS})
        return pd.DataFrame(self.columns())

    def columns(self) -> dict:
        """``table()``'s columns in its order: numpy arrays, and lists for the text (level and names).

        Empty when nothing is recorded yet. The experiment runner stores these without a frame.
        """
        k = len(self.rows)
        if not k:
            return {}
        n_p = self.n_p
        recorded = {name: np.concatenate([r[name] for r in self.rows]) for name in self.rows[0]}
        recorded["level"] = (["prefecture"] * n_p + ["county"] * self.n_c) * k
        recorded["unit"] = np.tile(np.concatenate([np.arange(n_p), np.arange(self.n_c)]).astype(np.int64), k)
        recorded["prefecture"] = np.tile(np.concatenate([np.arange(n_p), self.county_pref]).astype(np.int64), k)
        recorded["name"] = (self.names + self.county_names) * k
        recorded["name_en"] = (self.names_en + self.county_names_en) * k
        return {name: recorded[name] for name in UNIT_COLUMNS}


def _prefecture_english(i: int, s, m) -> str:
    """A prefecture's English name from the region file; its Chinese name if the file gives none."""
    prefectures = m.region.prefectures
    name = prefectures[i].get("name_en") if i < len(prefectures) else None
    return name or s.prefecture_names[i]


def _county_english(i: int, s, pref_en: list[str]) -> str:
    """A county's English name: '<prefecture> <n>' for the region file's numbered counties ('武汉市·3')."""
    if getattr(s, "county_names_en", None):
        return s.county_names_en[i]
    name = s.county_names[i]
    pref = int(s.county_prefecture[i])
    head, sep, tail = name.rpartition("·")
    if sep and head == s.prefecture_names[pref] and tail.isdigit():
        return f"{pref_en[pref]} {tail}"
    return name
