"""Regions: the province → prefecture → county → township → community hierarchy, from data.

A region file (``model/data/regions/NAME.toml``) gives the prefecture-level divisions
with their population, counties, towns, streets and communities (or an explicit list
of townships), the distributions communities are drawn from, and the initial state at
one or more dated anchors. ``build_structure`` turns it into arrays, drawing community
differences from the model's ``structure`` random stream.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Region", "Structure", "RegionError", "available_regions", "load_region", "build_structure", "REGIONS_DIR",
           "UNITS", "PREFECTURE_KINDS"]

REGIONS_DIR = Path(__file__).parent / "data" / "regions"

INITIAL_KEYS = (
    "station_coverage",
    "sw_certified",
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


# What a prefecture-level entry of a region file is (FACTS §1a): a 设区的市 (a prefecture-level
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


class RegionError(ValueError):
    pass


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
    targets: str = ""  # the region's own target set (model/data/targets)
    uncertainty: dict = field(default_factory=dict)  # INITIAL_KEYS -> relative half-width of the anchors

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


def load_region(name_or_path: str | Path) -> Region:
    path = Path(name_or_path)
    if not path.suffix:
        path = REGIONS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise RegionError(f'"{name_or_path}" is not a region; valid ones are: {", ".join(available_regions())}')
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegionError(f"{path}: not valid TOML: {exc}") from None
    prefectures = tuple(data.get("prefecture", []))
    if not prefectures:
        raise RegionError(f"{path}: no [[prefecture]] entries")
    for p in prefectures:
        for key in ("name", "population", "counties", "kind", "districts"):
            if key not in p:
                raise RegionError(f'{path}: prefecture {p.get("name", "?")}: missing "{key}"')
        if p["kind"] not in PREFECTURE_KINDS:
            raise RegionError(f'{path}: prefecture {p["name"]}: kind must be one of {", ".join(PREFECTURE_KINDS)}; '
                              f'got {p["kind"]!r}')
        if not isinstance(p["districts"], int) or not 0 <= p["districts"] <= int(p["counties"]):
            raise RegionError(f'{path}: prefecture {p["name"]}: districts must be a whole number from 0 to its '
                              f'{p["counties"]} counties; got {p["districts"]!r}')
    communities = data.get("communities", {})
    for kind in ("urban", "rural"):
        missing = [k for k in COMMUNITY_KEYS if k not in communities.get(kind, {})]
        if missing:
            raise RegionError(f"{path}: [communities.{kind}] lacks {', '.join(missing)}")
    initial = {}
    for date, values in data.get("initial", {}).items():
        missing = [k for k in INITIAL_KEYS if k not in values]
        if missing:
            raise RegionError(f'{path}: [initial."{date}"] lacks {", ".join(missing)}')
        initial[pd.Timestamp(date)] = {k: float(values[k]) for k in INITIAL_KEYS}
    if not initial:
        raise RegionError(f"{path}: no [initial.\"YYYY-MM\"] anchor")
    uncertainty = data.get("uncertainty", {})
    for key, value in uncertainty.items():
        if key not in INITIAL_KEYS:
            raise RegionError(f'{path}: [uncertainty] "{key}" is not an initial-state key; valid ones are: '
                              f'{", ".join(INITIAL_KEYS)}')
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise RegionError(f"{path}: [uncertainty] {key} must be a relative half-width from 0 to 1; got {value!r}")
    title = data.get("title", {})
    return Region(
        name=data.get("name", path.stem),
        title_zh=title.get("zh", path.stem),
        title_en=title.get("en", path.stem),
        source=data.get("source", ""),
        urbanisation=float(data["urbanisation"]),
        prefectures=prefectures,
        communities=communities,
        initial=initial,
        targets=str(data.get("targets", "")),
        uncertainty={k: float(v) for k, v in uncertainty.items()},
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
    county_pref, county_names, county_district = [], [], []
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
                                  "name_en": f"{p.get('name_en', p['name'])} {ci + 1}, {en} {k + 1}",
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

    return Structure(
        prefecture_names=pref_names,
        prefecture_city=np.array([p["kind"] == "city" for p in region.prefectures], bool),
        county_prefecture=np.array(county_pref),
        county_names=county_names,
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
    )
