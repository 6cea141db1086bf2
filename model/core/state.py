"""The state the submodels share: individuals as rows of arrays, places as arrays.

* **Individuals as rows** for the many: social workers and community workers
  (``Workers``) and community social organisations (``Organisations``). Every row is one
  person or organisation with its own history (hired, certified, failed exams, left;
  founded, incubated, funded, closed); the arrays keep a province run fast.
* **Places as arrays**: townships with their stations (``Townships``) and communities
  with their residents, volunteers and charity funds held in bulk (``Communities``).

The few actors that decide (purchasers, agencies) are Mesa agents in ``stations`` and
``agencies``. Incubation bases decide nothing: a flag per area and level
(``OrganisationSector.city_base``, ``county_base``, ``Townships.street_base``).
"""

from __future__ import annotations

import numpy as np

from ..regions import NEED_GROUPS
from . import committees

__all__ = [
    "Communities",
    "Organisations",
    "Rows",
    "Townships",
    "Workers",
    "ROLE_STATION_PURCHASE",
    "ROLE_STATION_DIRECT",
    "ROLE_AGENCY",
    "ROLE_COMMUNITY",
    "ROLE_NAMES",
    "CERT_NONE",
    "CERT_ASSISTANT",
    "CERT_INTERMEDIATE",
    "CERT_SENIOR",
    "MODE_NONE",
    "MODE_PURCHASE",
    "MODE_DIRECT",
    "LEFT_IN_POST",
    "LEFT_QUIT",
    "LEFT_CONTRACT_LOST",
    "LEFT_STATION_CLOSED",
]

# Worker roles (employer)
ROLE_STATION_PURCHASE = 0  # stationed through an agency contract
ROLE_STATION_DIRECT = 1  # employed directly by the township (双百 style)
ROLE_AGENCY = 2  # agency social worker on other projects
ROLE_COMMUNITY = 3  # community worker (社区工作者)
ROLE_NAMES = {0: "station (agency)", 1: "station (direct)", 2: "agency", 3: "community worker"}

# Certificate levels
CERT_NONE, CERT_ASSISTANT, CERT_INTERMEDIATE, CERT_SENIOR = 0, 1, 2, 3
N_ROLES, N_CERT_LEVELS = len(ROLE_NAMES), 4

MODE_NONE, MODE_PURCHASE, MODE_DIRECT = -1, 0, 1

# Why a worker left (``Workers.why_left``)
LEFT_IN_POST, LEFT_QUIT, LEFT_CONTRACT_LOST, LEFT_STATION_CLOSED = 0, 1, 2, 3


class Rows:
    """A growable table of individuals, one numpy array per field (struct of arrays)."""

    FIELDS: dict[str, tuple[np.dtype, object]] = {}

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self.version = 0  # counts additions and compactions: row indices taken at one version hold until the next
        self.archive: list[dict[str, np.ndarray]] = []  # rows removed by compact(), kept for history
        self._cap = max(int(capacity), 16)
        for name, (dtype, fill) in self.FIELDS.items():
            setattr(self, name, np.full(self._cap, fill, dtype=dtype))

    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` rows; fields not given take their fill value. Returns their indices."""
        count = int(count)
        if count <= 0:
            return np.zeros(0, dtype=np.int64)
        if self.n + count > self._cap:
            new_cap = max(self._cap * 2, self.n + count)
            for name, (dtype, fill) in self.FIELDS.items():
                old = getattr(self, name)
                arr = np.full(new_cap, fill, dtype=dtype)
                arr[: self.n] = old[: self.n]
                setattr(self, name, arr)
            self._cap = new_cap
        self.version += 1
        rows = slice(self.n, self.n + count)
        for name, value in values.items():
            getattr(self, name)[rows] = value
        self.n += count
        return np.arange(rows.start, rows.stop)

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def compact(self) -> None:
        """Move rows no longer alive to ``archive`` (their history is kept) and close the gaps.

        Row indices change: call it only when nobody holds indices (the model does it in January).
        """
        alive = self.alive[: self.n]
        gone = ~alive
        if not gone.any():
            return
        self.archive.append({name: getattr(self, name)[: self.n][gone].copy() for name in self.FIELDS})
        self.version += 1
        keep = np.flatnonzero(alive)
        for name in self.FIELDS:
            arr = getattr(self, name)
            arr[: len(keep)] = arr[keep]
            arr[len(keep): self.n] = self.FIELDS[name][1]
        self.n = len(keep)

    def table(self) -> dict[str, np.ndarray]:
        """Every row ever added, archived ones first, as columns."""
        parts = self.archive + [{name: self.view(name) for name in self.FIELDS}]
        return {name: np.concatenate([part[name] for part in parts]) for name in self.FIELDS}


class Workers(Rows):
    """Social workers and community workers, one row each, with their histories."""

    FIELDS = {
        "alive": (np.bool_, False),  # in post
        "role": (np.int8, ROLE_COMMUNITY),
        "township": (np.int32, -1),
        "community": (np.int32, -1),
        "agency": (np.int32, -1),  # unique_id of the employing agency
        "cert": (np.int8, CERT_NONE),
        "hired": (np.int32, 0),  # month index of hiring (negative: before the start)
        "left": (np.int32, -1),  # month index of leaving
        "fails": (np.int8, 0),  # exam sittings failed
        "cert_month": (np.int32, -1),
        "why_left": (np.int8, 0),  # 0 in post, 1 quit, 2 contract lost, 3 station closed
    }


class Organisations(Rows):
    """Community social organisations (社区社会组织), one row each."""

    FIELDS = {
        "alive": (np.bool_, False),
        "community": (np.int32, -1),
        "capacity": (np.float32, 0.0),  # 0–1
        "founded": (np.int32, 0),
        "closed": (np.int32, -1),
        "funds": (np.float64, 0.0),  # yuan on hand
        "incubated_until": (np.int32, -1),  # month index; -1 never incubated
        "base": (np.int32, -1),  # level of the incubation base: 0 city, 1 county, 2 street (organisations.BASE_SLOTS)
        "grants": (np.int16, 0),  # grants won
        "registered": (np.bool_, False),  # registered with civil affairs (else filed on record, 备案)
    }


class Townships:
    """Townships and streets (乡镇/街道) and their social-work stations."""

    def __init__(self, structure):
        n = structure.n_townships
        self.n = n
        self.name = list(structure.township_names)
        self.name_en = list(structure.township_names_en)
        self.county = structure.township_county
        self.street = structure.township_street
        self.funded = np.zeros(n, bool)  # a station is funded this year
        self.mode = np.full(n, MODE_NONE, np.int8)
        self.agency = np.full(n, -1, np.int32)  # unique_id of the contracted agency
        self.contract_end = np.full(n, -1, np.int32)  # month index of the last contract month
        self.tender_ready = np.full(n, -1, np.int32)  # month index a tender concludes
        self.positions = np.zeros(n, np.int16)
        self.renew = np.ones(n, bool)  # this year's budget covers renewal
        self.eval_sum = np.zeros(n)  # delivery against the plan, summed over the contract's months
        self.eval_n = np.zeros(n)
        self.failed = np.zeros(n, bool)  # the last evaluation failed (no incumbent's edge in the tender)
        self.station_money = np.zeros(n)  # the station's yearly money (its contract's value), yuan
        self.next_money = np.zeros(n)  # the money this year's allocation gives its next contract, yuan
        self.street_base = np.zeros(n, bool)
        # recomputed each month
        self.sw_staff = np.zeros(n, np.int32)
        self.has_station = np.zeros(n, bool)
        self.linkage_hours = np.zeros(n)
        self.case_hours = np.zeros(n)
        self.admin_share = np.zeros(n)
        self.productivity = np.zeros(n)  # staff's mean casework productivity (tenure)
        self.ties = np.zeros(n)  # staff's mean community ties (tenure)
        self.history: list[tuple] = []  # (month index, township, event, detail)

    def log(self, t: int, township: int, event: str, detail=None):
        self.history.append((t, int(township), event, detail))


class Communities:
    """Urban communities and villages with residents, volunteers and charity funds in bulk."""

    def __init__(self, structure):
        self.n = structure.n_communities
        self.township = structure.community_township
        self.urban = structure.community_urban
        self.population = structure.community_population
        self.vulnerable = structure.community_vulnerable  # residents in any need group
        self.groups = structure.community_groups  # residents per need group (regions.NEED_GROUPS, communities)
        self.committee = structure.community_committee
        self.worker_posts = structure.community_workers
        self.facility = structure.community_facility
        self._strength: tuple = (None, None)  # (party_building, committee strength with it): ``strength``
        n = self.n
        self.volunteers_registered = np.zeros(n, np.int64)
        self.volunteers_active = np.zeros(n, np.int64)
        self.has_volunteer_point = np.zeros(n, bool)
        self.has_fund = np.zeros(n, bool)
        self.fund_balance = np.zeros(n)
        self.needs_open = np.zeros(n, np.int64)
        self.needs_open_g = np.zeros((len(NEED_GROUPS), n), np.int64)  # open needs per group (needs)
        self.volunteers_ready = np.zeros(n, np.int64)  # registered, not active, reachable (volunteers)
        self.volunteers_lapsed = np.zeros(n, np.int64)  # registered, dormant (volunteers)
        self.volunteer_hours = np.zeros(n)  # hours given this month (volunteers)
        self.visits = np.zeros(n)  # station household visits this month (stations)
        self.sw_project_money = np.zeros(n)  # community-fund pay-out to social-work projects (charity)
        self.orgs = np.zeros(n, np.int64)  # organisations alive, counted monthly
        self.services = np.zeros(n)  # services delivered this month
        # this month's derived quantities
        self.linkage = np.zeros(n)  # station linkage hours per community (stations)
        self.case_hours = np.zeros(n)  # station casework hours per community (stations)
        self.charity_payout = np.zeros(n)  # yuan paid out of the community fund (charity)
        self.charity_services = np.zeros(n)  # services the pay-out buys (charity)
        self.venture_services = np.zeros(n)  # services a month the year's venture projects buy (公益创投)

    def strength(self, support: float) -> np.ndarray:
        """Committee strength with the lever ``party_building`` at ``support`` (``committees.effective_strength``).

        The committees do not change during a run, so the array is computed once per value
        of the lever and shared (read-only) by the month's submodels.
        """
        if self._strength[0] != support:
            s = committees.effective_strength(self.committee, support)
            s.flags.writeable = False
            self._strength = (support, s)
        return self._strength[1]
