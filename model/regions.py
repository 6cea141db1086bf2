"""Regions: the province → prefecture → county → township → community hierarchy, from data.

A region file (``model/data/regions/NAME.toml``) gives the prefecture-level divisions
with their population, counties, towns, streets and communities (or an explicit list
of townships), the distributions communities are drawn from, and the initial state at
one or more dated anchors. ``build_structure`` turns it into arrays, drawing community
differences from the model's ``structure`` random stream.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .files import read_toml
from .messages import one_line, quoted, shown

__all__ = ["Region", "Structure", "RegionError", "available_regions", "load_region", "build_structure", "REGIONS_DIR",
           "NEED_GROUPS", "split_groups", "county_traits", "UNITS", "PREFECTURE_KINDS",
           "MECHANISM_CHOICES"]

REGIONS_DIR = Path(__file__).parent / "data" / "regions"

INITIAL_KEYS = (
    "station_coverage",
    "sw_certified",
    "sw_uncertified_practitioners",
    "cw_certified_share",
    "agency_sw",
    "agencies",
    "orgs_per_urban_community",
    "orgs_per_rural_community",
    "incubator_city_coverage",
    "incubator_county_coverage",
    "incubator_street_coverage",
    "volunteer_registered_share",
    "volunteer_point_coverage",
    "community_fund_coverage",
    "needs_open_share",
)
BUDGET_KEYS = (
    "civil_affairs_yuan_per_head",
    "five_society_share",
    "province_share",
    "match_fund_yuan_per_head",
    "donor_base_yuan_per_head",
)
COMMUNITY_KEYS = (
    "population_cv",
    "elderly_alone",
    "left_behind",
    "disability",
    "low_income",
    "committee_a",
    "committee_b",
    "workers",
    "facility",
)


# Needs by group (MODEL.md §3): the region file's shares per urban/rural community, in this order.
NEED_GROUPS = ("elderly_alone", "left_behind_children", "disability", "low_income")
GROUP_KEYS = ("elderly_alone", "left_behind", "disability", "low_income")  # keys in [communities.*]
# Optional keys of [counties] and their defaults (every county alike when absent).
COUNTY_DEFAULTS = {
    "fiscal_capacity_mean": 1.0,  # money a county can put up, relative to what its plan needs
    "fiscal_capacity_cv": 0.0,
    "speed_mean": 1.0,  # implementation speed: multiplies the planned pace of building
    "speed_cv": 0.0,
}

# Optional [mechanisms]: where the region allows community foundations (社区基金会) and
# community social-work rooms (社区社会工作服务站(室), 47号 "有条件的地方"), and their defaults
# (nowhere when absent: the levers community_foundation_share and community_sw_room_share then
# change nothing). Foundations sit in townships: "none", "streets" (街道 only) or "all";
# rooms in communities: "none", "urban" (urban communities only) or "all".
MECHANISM_CHOICES = {
    "community_foundations": ("none", "streets", "all"),
    "community_sw_rooms": ("none", "urban", "all"),
}
MECHANISM_DEFAULTS = {key: "none" for key in MECHANISM_CHOICES}

# What a prefecture-level entry of a region file is (§1a.prefectures, §1a.counties): a 设区的市 (a prefecture-level
# city with districts), an autonomous prefecture (自治州), a county-level unit the province
# administers directly, or a part of a prefecture (a region holding only some of its counties).
PREFECTURE_KINDS = {
    "city": ("设区的市", "prefecture-level city"),
    "autonomous_prefecture": ("自治州", "autonomous prefecture"),
    "county_level": ("省直管县级单位", "county-level unit under the province"),
    "part": ("地级市的一部分", "part of a prefecture"),
}

# The units a target can count (code -> (zh, en)). "county" is 县(市): counties and
# county-level cities, not the districts (市辖区) among the county-level units.
UNITS = {
    "region": ("全域", "the whole region"),
    "city": ("设区的市", "prefecture-level cities"),
    "county": ("县(市)", "counties and county-level cities"),
    "township": ("乡镇(街道)", "townships and streets"),
    "urban_community": ("城市社区", "urban communities"),
    "rural_community": ("农村社区", "rural communities"),
    "facility": ("社区综合服务设施", "community service facilities"),
    "community_worker": ("社区工作者", "community workers"),
}


# Optional dated values of a prefecture ({ "YYYY-MM" = value }) and their upper bounds:
# its own registered-volunteer share (anchors, interpolated like [initial]) and its
# registration rate against the region's (from each date on). Wuhan's, for example.
PREFECTURE_DATED = {"volunteer_registered_share": 1.0, "volunteer_registration_mult": 100.0}


def dated_value(table: dict, when: pd.Timestamp, interpolate: bool) -> float:
    """A prefecture's dated value at ``when``: interpolated between anchors, or the last one in force."""
    points = sorted((pd.Timestamp(k), float(v)) for k, v in table.items())
    if when <= points[0][0]:
        return points[0][1]
    if when >= points[-1][0]:
        return points[-1][1]
    for (a, va), (b, vb) in zip(points, points[1:], strict=False):
        if a <= when < b:
            return va + (vb - va) * (when - a) / (b - a) if interpolate else va
    raise AssertionError("unreachable")


class RegionError(ValueError):
    """A region the loader refuses; ``str(error)`` is one bounded line naming the file and key."""

    def __init__(self, message: str):
        super().__init__(one_line(message))


@dataclass(frozen=True)
class Region:
    name: str
    title_zh: str
    title_en: str
    source: str
    urbanisation: float
    prefectures: tuple[dict, ...]
    communities: dict
    initial: dict  # anchor date (pd.Timestamp) -> dict of INITIAL_KEYS
    budget: dict = field(default_factory=dict)  # BUDGET_KEYS -> float: the yearly envelope (ODD §7.1)
    counties: dict = field(default_factory=lambda: dict(COUNTY_DEFAULTS))
    checks: dict = field(default_factory=dict)  # reported figures to compare runs with ([checks])
    targets: str = ""  # the region's own target set (model/data/targets)
    uncertainty: dict = field(default_factory=dict)  # INITIAL_KEYS -> relative half-width of the anchors
    mechanisms: dict = field(default_factory=lambda: dict(MECHANISM_DEFAULTS))  # where foundations, rooms may be

    def unit_counts(self) -> dict[str, int]:
        """How many of each unit (``UNITS``) the region holds, from the file alone."""
        def townships(p):
            return len(p["township"]) if "township" in p else int(p["streets"]) + int(p["towns"])

        def communities(p, kind):
            if "township" in p:
                return sum(int(t[kind]) for t in p["township"])
            return int(p[f"{kind}_communities"])

        ps = self.prefectures
        urban = sum(communities(p, "urban") for p in ps)
        rural = sum(communities(p, "rural") for p in ps)
        return {
            "region": 1,
            "city": sum(p["kind"] == "city" for p in ps),
            "county": sum(int(p["counties"]) - int(p["districts"]) for p in ps),
            "township": sum(townships(p) for p in ps),
            "urban_community": urban,
            "rural_community": rural,
            "facility": urban + rural,
            "community_worker": urban + rural,
        }

    @property
    def population(self) -> int:
        return int(sum(p["population"] for p in self.prefectures))

    def initial_state(self, start: pd.Timestamp) -> dict:
        """Initial state at ``start``: linear between anchors, the nearest anchor outside them."""
        anchors = sorted(self.initial)
        if start <= anchors[0]:
            return dict(self.initial[anchors[0]])
        if start >= anchors[-1]:
            return dict(self.initial[anchors[-1]])
        for a, b in zip(anchors, anchors[1:], strict=False):
            if a <= start <= b:
                w = (start - a) / (b - a)
                return {k: (1 - w) * self.initial[a][k] + w * self.initial[b][k] for k in INITIAL_KEYS}
        raise AssertionError("unreachable")


def available_regions() -> list[str]:
    return sorted(p.stem for p in REGIONS_DIR.glob("*.toml"))


def _number(value, where: str, lo: float = 0.0, hi: float = float("inf"), whole: bool = False) -> float:
    """A number in [lo, hi] (a whole one when ``whole``), else RegionError naming ``where``."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and lo <= value <= hi
    if ok and whole:
        ok = float(value).is_integer()
    if not ok:
        kind = "a whole number" if whole else "a number"
        rng = f" ≥ {lo:g}" if hi == float("inf") else f" in [{lo:g}, {hi:g}]"
        raise RegionError(f"{where}: expected {kind}{rng}; got {shown(value)}")
    return value


def _check_region_data(path: Path, data: dict) -> None:
    """Check a region file's keys and values before anything is built from them."""
    prefectures = data.get("prefecture", [])
    if not isinstance(prefectures, list) or not prefectures or not all(isinstance(p, dict) for p in prefectures):
        raise RegionError(f"{path}: prefecture: expected one [[prefecture]] table or more")
    if "urbanisation" not in data:
        raise RegionError(f'{path}: missing "urbanisation"; expected the urban share of residents in [0, 1]')
    _number(data["urbanisation"], f"{path}: urbanisation", 0.0, 1.0)
    for i, p in enumerate(prefectures, start=1):
        where = f"{path}: prefecture {i}"
        for key in ("name", "population", "counties", "kind", "districts"):
            if key not in p:
                raise RegionError(f'{where}: missing "{key}"')
        if p["kind"] not in PREFECTURE_KINDS:
            raise RegionError(f'{where}: kind: expected one of {", ".join(PREFECTURE_KINDS)}; got {shown(p["kind"])}')
        if not isinstance(p["name"], str):
            raise RegionError(f"{where}: name: expected a text; got {shown(p['name'])}")
        _number(p["population"], f"{where}: population", 1)
        n_counties = _number(p["counties"], f"{where}: counties", 1, 10_000, whole=True)
        _number(p["districts"], f"{where}: districts", 0, n_counties, whole=True)
        for key, hi in PREFECTURE_DATED.items():
            if key in p:
                table = p[key]
                if not isinstance(table, dict) or not table:
                    raise RegionError(f'{where}: {key}: expected a table {{ "YYYY-MM" = number, … }}; got {shown(table)}')
                for date, value in table.items():
                    if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", date):
                        raise RegionError(f'{where}: {key}: "{date}": expected a month "YYYY-MM"')
                    _number(value, f'{where}: {key}."{date}"', 0.0, hi)
        for key in ("county_names", "county_names_en"):  # labels only: districts (市辖区) first
            names = p.get(key)
            if key in p and (not isinstance(names, list) or len(names) != n_counties
                             or not all(isinstance(x, str) and x for x in names)):
                raise RegionError(f"{where}: {key}: expected a list of {n_counties} names")
        if "township" in p:
            towns = p["township"]
            if not isinstance(towns, list) or not all(isinstance(t, dict) for t in towns):
                raise RegionError(f"{where}: township: expected [[prefecture.township]] tables")
            for j, t in enumerate(towns, start=1):
                for key in ("name", "street", "urban", "rural"):
                    if key not in t:
                        raise RegionError(f'{where}: township {j}: missing "{key}"')
                if not isinstance(t["street"], bool):
                    raise RegionError(f"{where}: township {j}: street: expected true or false; got {shown(t['street'])}")
                for key in ("urban", "rural"):
                    _number(t[key], f"{where}: township {j}: {key}", 0, 100_000, whole=True)
                _number(t.get("county", 0), f"{where}: township {j}: county", 0, n_counties - 1, whole=True)
        else:
            for key in ("streets", "towns", "urban_communities", "rural_communities"):
                if key not in p:
                    raise RegionError(f'{where}: missing "{key}" (or a [[prefecture.township]] list)')
                _number(p[key], f"{where}: {key}", 0, 1_000_000, whole=True)
            if p["streets"] + p["towns"] < 1:
                raise RegionError(f"{where}: streets and towns: expected at least one township")
    communities = data.get("communities", {})
    if not isinstance(communities, dict):
        raise RegionError(f"{path}: communities: expected tables [communities.urban] and [communities.rural]")
    for kind in ("urban", "rural"):
        table = communities.get(kind, {})
        if not isinstance(table, dict):
            raise RegionError(f"{path}: communities.{kind}: expected a table")
        missing = [k for k in COMMUNITY_KEYS if k not in table]
        if missing:
            raise RegionError(f"{path}: [communities.{kind}] lacks {', '.join(missing)}")
        for k in COMMUNITY_KEYS:
            _number(table[k], f"{path}: communities.{kind}.{k}")
    initial = data.get("initial", {})
    if not isinstance(initial, dict) or not initial:
        raise RegionError(f'{path}: no [initial."YYYY-MM"] anchor')
    for date, values in initial.items():
        where = f'{path}: initial."{date}"'
        if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", date):
            raise RegionError(f'{where}: expected a month "YYYY-MM"')
        if not isinstance(values, dict):
            raise RegionError(f"{where}: expected a table of {', '.join(INITIAL_KEYS)}")
        missing = [k for k in INITIAL_KEYS if k not in values]
        if missing:
            raise RegionError(f"{where} lacks {', '.join(missing)}")
        for k in INITIAL_KEYS:
            _number(values[k], f"{where}.{k}")
    uncertainty = data.get("uncertainty", {})
    if not isinstance(uncertainty, dict):
        raise RegionError(f"{path}: uncertainty: expected a table of relative half-widths by initial-state key")
    for key, value in uncertainty.items():
        if key not in INITIAL_KEYS:
            raise RegionError(f'{path}: [uncertainty] "{key}" is not an initial-state key; valid ones are: '
                              f'{", ".join(INITIAL_KEYS)}')
        _number(value, f"{path}: uncertainty.{key}", 0.0, 1.0)
    targets = data.get("targets", "")
    if not isinstance(targets, str):
        raise RegionError(f"{path}: targets: expected the name of the region's own target set; got {shown(targets)}")
    title = data.get("title", {})
    if not isinstance(title, dict) or not all(isinstance(v, str) for v in title.values()):
        raise RegionError(f'{path}: title: expected a table {{ zh = "…", en = "…" }}; got {shown(title)}')


def load_region(name_or_path: str | Path) -> Region:
    """Load a region by name (a file in ``model/data/regions``) or by path; RegionError in one line if bad.

    A file loaded before and unchanged since (same modification time and size) is not read
    again: the Region is frozen, and nothing changes its tables, so runs share it.
    """
    if not isinstance(name_or_path, (str, Path)):
        raise TypeError(f"region must be a region name or a path; got {type(name_or_path).__name__}")
    path = Path(name_or_path)
    if not path.suffix:
        path = REGIONS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise RegionError(
                f'{quoted(name_or_path)} is not a region; valid ones are: {", ".join(available_regions())}')
    try:
        st = path.stat()
    except OSError:  # read_toml says what is wrong with the path
        return _read_region(path)
    return _read_unchanged(str(path.resolve()), st.st_mtime_ns, st.st_size, path)


@functools.lru_cache(maxsize=16)  # a calibration loads its region for every run
def _read_unchanged(resolved: str, mtime_ns: int, size: int, path: Path) -> Region:
    """``_read_region(path)``, kept for as long as the file at ``resolved`` keeps its time and size."""
    return _read_region(path)


def _read_region(path: Path) -> Region:
    _, data = read_toml(path, "a TOML region file",
                        lambda p, msg, line=None: RegionError(f"{p}:{line}: {msg}" if line else f"{p}: {msg}"))
    _check_region_data(path, data)
    prefectures = tuple(data["prefecture"])
    communities = data["communities"]
    initial = {pd.Timestamp(date): {k: float(values[k]) for k in INITIAL_KEYS}
               for date, values in data["initial"].items()}
    budget_table = data.get("budget")
    if not isinstance(budget_table, dict):
        raise RegionError(f"{path}: no [budget] table (the yearly envelope: {', '.join(BUDGET_KEYS)})")
    missing = [k for k in BUDGET_KEYS if k not in budget_table]
    if missing:
        raise RegionError(f"{path}: [budget] lacks {', '.join(missing)}")
    budget = {}
    for k in BUDGET_KEYS:
        value = budget_table[k]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RegionError(f"{path}: [budget] {k} must be a non-negative number; got {value!r}")
        budget[k] = float(value)
    for k in ("five_society_share", "province_share"):
        if budget[k] > 1:
            raise RegionError(f"{path}: [budget] {k} must be a share in [0, 1]; got {budget[k]!r}")
    counties = dict(COUNTY_DEFAULTS)
    for key, value in data.get("counties", {}).items():
        if key not in COUNTY_DEFAULTS:
            raise RegionError(f'{path}: [counties] "{key}" is not a key; valid ones are: {", ".join(COUNTY_DEFAULTS)}')
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RegionError(f'{path}: [counties] "{key}" must be a number ≥ 0; got {value!r}')
        counties[key] = float(value)
    for p in prefectures:
        for key in ("county_fiscal_capacity", "county_speed"):
            if key in p and (len(p[key]) != int(p["counties"]) or any(
                    isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in p[key])):
                raise RegionError(f'{path}: prefecture {p["name"]}: "{key}" must list {p["counties"]} numbers ≥ 0')
    mechanisms = dict(MECHANISM_DEFAULTS)
    table = data.get("mechanisms", {})
    if not isinstance(table, dict):
        raise RegionError(f"{path}: [mechanisms] must be a table of {', '.join(MECHANISM_CHOICES)}")
    for key, value in table.items():
        if key not in MECHANISM_CHOICES:
            raise RegionError(f'{path}: [mechanisms] "{key}" is not a key; valid ones are: '
                              f'{", ".join(MECHANISM_CHOICES)}')
        if value not in MECHANISM_CHOICES[key]:
            raise RegionError(f'{path}: [mechanisms] "{key}" must be one of '
                              f'{", ".join(repr(c) for c in MECHANISM_CHOICES[key])}; got {value!r}')
        mechanisms[key] = value
    title = data.get("title", {})
    return Region(
        name=str(data.get("name", path.stem)),
        title_zh=title.get("zh", path.stem),
        title_en=title.get("en", path.stem),
        source=str(data.get("source", "")),
        urbanisation=float(data["urbanisation"]),
        prefectures=prefectures,
        communities=communities,
        initial=initial,
        budget=budget,
        counties=counties,
        checks=dict(data.get("checks", {})),
        targets=data.get("targets", ""),
        uncertainty={k: float(v) for k, v in data.get("uncertainty", {}).items()},
        mechanisms=mechanisms,
    )


@dataclass
class Structure:
    """The region as arrays. Townships and communities are indexed 0..n-1."""

    prefecture_names: list[str]
    prefecture_city: np.ndarray  # bool: a 设区的市 (prefecture-level city with districts)
    county_prefecture: np.ndarray  # county -> prefecture index
    county_names: list[str]
    county_district: np.ndarray  # bool: a district (市辖区), not a county or county-level city (县(市))
    township_county: np.ndarray  # township -> county index
    township_street: np.ndarray  # bool: street (街道) rather than town/township
    township_names: list[str]
    township_names_en: list[str]
    community_township: np.ndarray  # community -> township index
    community_urban: np.ndarray  # bool
    community_population: np.ndarray  # residents (int)
    community_vulnerable: np.ndarray  # residents in a need group (int)
    community_committee: np.ndarray  # committee strength in [0, 1]
    community_workers: np.ndarray  # community-worker posts (int)
    community_facility: np.ndarray  # bool: has a community service facility
    community_groups: np.ndarray | None = None  # (NEED_GROUPS, communities): residents in each need group
    county_fiscal_capacity: np.ndarray | None = None  # money a county can put up / what its plan needs
    county_speed: np.ndarray | None = None  # implementation speed (1 = the planned pace)
    county_names_en: list[str] | None = None  # English (pinyin) names; None: "<prefecture> <n>"
    extra: dict = field(default_factory=dict)

    @property
    def n_prefectures(self) -> int:
        return len(self.prefecture_names)

    @property
    def n_counties(self) -> int:
        return len(self.county_names)

    @property
    def n_townships(self) -> int:
        return len(self.township_names)

    @property
    def n_communities(self) -> int:
        return len(self.community_township)


def _split(total: int, parts: int) -> np.ndarray:
    """Split ``total`` into ``parts`` near-equal whole numbers (larger first)."""
    base, rem = divmod(int(total), int(parts))
    return np.array([base + (1 if i < rem else 0) for i in range(parts)], dtype=np.int64)


def build_structure(region: Region, rng: np.random.Generator) -> Structure:
    """Lay out counties, townships and communities and draw community differences."""
    county_pref, county_names, county_names_en, county_district = [], [], [], []
    towns: list[dict] = []  # one dict per township: county, street, name, name_en, urban, rural
    pref_names = []
    for pi, p in enumerate(region.prefectures):
        pref_names.append(p["name"])
        n_counties = int(p["counties"])
        first_county = len(county_names)
        for ci in range(n_counties):
            county_pref.append(pi)
            county_district.append(ci < int(p["districts"]))  # the first `districts` counties are 市辖区
            county_names.append(p["county_names"][ci] if "county_names" in p else f"{p['name']}·{ci + 1}")
            county_names_en.append(p["county_names_en"][ci] if "county_names_en" in p
                                   else f"{p.get('name_en', p['name'])} {ci + 1}")
        if "township" in p:  # explicit list
            towns += [{"county": first_county + int(t.get("county", 0)), "street": bool(t["street"]),
                       "name": t["name"], "name_en": t.get("name_en", t["name"]),
                       "urban": int(t["urban"]), "rural": int(t["rural"])} for t in p["township"]]
            continue
        n_streets, n_towns = int(p["streets"]), int(p["towns"])
        urban, rural = int(p["urban_communities"]), int(p["rural_communities"])
        # streets hold 75% of urban communities (assumption: town seats hold the rest)
        urban_in_streets = int(round(urban * 0.75)) if n_streets else 0
        kinds = (  # (street, count per county, urban communities each, rural communities each, zh, en)
            (True, _split(n_streets, n_counties), iter(_split(urban_in_streets, n_streets) if n_streets else ()),
             iter(np.zeros(n_streets, np.int64)), "街道", "street"),
            (False, _split(n_towns, n_counties), iter(_split(urban - urban_in_streets, n_towns) if n_towns else ()),
             iter(_split(rural, n_towns) if n_towns else ()), "镇", "town"),
        )
        for ci in range(n_counties):
            for street, per_county, urban_each, rural_each, zh, en in kinds:
                for k in range(int(per_county[ci])):
                    towns.append({"county": first_county + ci, "street": street,
                                  "name": f"{county_names[first_county + ci]}·{zh}{k + 1}",
                                  "name_en": f"{county_names_en[first_county + ci]}, {en} {k + 1}",
                                  "urban": int(next(urban_each)), "rural": int(next(rural_each))})
    town_county = [t["county"] for t in towns]
    town_street = [t["street"] for t in towns]
    town_names = [t["name"] for t in towns]
    town_names_en = [t["name_en"] for t in towns]
    town_urban_n = [t["urban"] for t in towns]
    town_rural_n = [t["rural"] for t in towns]
    town_urban_n = np.array(town_urban_n)
    town_rural_n = np.array(town_rural_n)
    n_town = len(town_names)
    comm_town = np.concatenate(
        [np.repeat(np.arange(n_town), town_urban_n), np.repeat(np.arange(n_town), town_rural_n)]
    )
    comm_urban = np.concatenate([np.ones(town_urban_n.sum(), bool), np.zeros(town_rural_n.sum(), bool)])
    order = np.argsort(comm_town, kind="stable")
    comm_town, comm_urban = comm_town[order], comm_urban[order]
    n_comm = len(comm_town)

    # Population: each prefecture's residents split urban/rural by the region's urbanisation,
    # spread over its communities with lognormal weights (cv from the region file).
    town_pref = np.array(county_pref)[np.array(town_county)]
    comm_pref = town_pref[comm_town]
    pop = np.zeros(n_comm)
    for kind, mask_kind, share in (("urban", comm_urban, region.urbanisation), ("rural", ~comm_urban, 1 - region.urbanisation)):
        cv = region.communities[kind]["population_cv"]
        sigma = np.sqrt(np.log1p(cv**2))
        weights = rng.lognormal(-sigma**2 / 2, sigma, size=n_comm)
        for pi, p in enumerate(region.prefectures):
            m = mask_kind & (comm_pref == pi)
            if m.any():
                pop[m] = weights[m] / weights[m].sum() * p["population"] * share
    pop = np.maximum(np.round(pop), 50).astype(np.int64)

    vuln = np.zeros(n_comm, np.int64)
    committee = np.zeros(n_comm)
    workers = np.zeros(n_comm, np.int64)
    facility = np.zeros(n_comm, bool)
    for kind, m in (("urban", comm_urban), ("rural", ~comm_urban)):
        c = region.communities[kind]
        share = c["elderly_alone"] + c["left_behind"] + c["disability"] + c["low_income"]
        # community-to-community variation of the need share: beta with mean `share`, concentration 50
        s = rng.beta(share * 50, (1 - share) * 50, size=n_comm)
        vuln[m] = rng.binomial(pop[m], s[m])
        committee[m] = rng.beta(c["committee_a"], c["committee_b"], size=n_comm)[m]
        workers[m] = c["workers"]
        facility[m] = rng.random(n_comm)[m] < c["facility"]

    groups = split_groups(vuln, comm_urban, region.communities, rng)
    capacity, speed = county_traits(region, county_pref, rng)

    return Structure(
        prefecture_names=pref_names,
        prefecture_city=np.array([p["kind"] == "city" for p in region.prefectures], bool),
        county_prefecture=np.array(county_pref),
        county_names=county_names,
        county_names_en=county_names_en,
        county_district=np.array(county_district, bool),
        township_county=np.array(town_county),
        township_street=np.array(town_street, bool),
        township_names=town_names,
        township_names_en=town_names_en,
        community_township=comm_town,
        community_urban=comm_urban,
        community_population=pop,
        community_vulnerable=vuln,
        community_committee=committee,
        community_workers=workers,
        community_facility=facility,
        community_groups=groups,
        county_fiscal_capacity=capacity,
        county_speed=speed,
    )


def split_groups(vulnerable: np.ndarray, urban: np.ndarray, communities: dict, rng: np.random.Generator,
                 concentration: float = 20.0) -> np.ndarray:
    """Split each community's residents in need groups over the four groups (rows of NEED_GROUPS).

    The mix varies between communities around the region's shares for urban or rural
    communities: Dirichlet with that mean and ``concentration`` (assumption: communities
    differ by about ±20% in their mix), then a multinomial split of the count. Drawn after
    every other structural draw, so the layout and the totals do not depend on it.
    """
    n = len(vulnerable)
    out = np.zeros((len(NEED_GROUPS), n), np.int64)
    for kind, m in (("urban", urban), ("rural", ~urban)):
        shares = np.array([communities[kind][k] for k in GROUP_KEYS], float)
        alpha = np.maximum(shares / shares.sum() * concentration, 1e-3)
        mix = rng.dirichlet(alpha, size=n)
        left = np.where(m, vulnerable, 0).astype(np.int64)
        rest = np.ones(n)
        for g in range(len(NEED_GROUPS) - 1):  # a multinomial as a chain of binomials, all communities at once
            share = np.clip(mix[:, g] / np.maximum(rest, 1e-12), 0.0, 1.0)
            draw = rng.binomial(left, share)
            out[g, m] = draw[m]
            left -= draw
            rest -= mix[:, g]
        out[-1, m] = left[m]
    return out


def county_traits(region: Region, county_prefecture, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each county's fiscal capacity and implementation speed: listed in the file, else drawn.

    Draws are lognormal with the region's mean and coefficient of variation ([counties]);
    a prefecture's ``county_fiscal_capacity`` / ``county_speed`` lists override them.
    """
    n = len(county_prefecture)
    c = region.counties
    out = []
    for trait in ("fiscal_capacity", "speed"):
        mean, cv = c[f"{trait}_mean"], c[f"{trait}_cv"]
        sigma = np.sqrt(np.log1p(cv**2))
        values = mean * rng.lognormal(-sigma**2 / 2, sigma, size=n) if cv > 0 else np.full(n, mean)
        first = 0
        for p in region.prefectures:
            k = int(p["counties"])
            if f"county_{trait}" in p:
                values[first:first + k] = p[f"county_{trait}"]
            first += k
        out.append(values)
    return out[0], out[1]
