"""The simulation core: one module per submodel of ODD §7, over explicit state.

=======================  ==========================================================
ODD §                    module
=======================  ==========================================================
§5 initialisation        ``setup`` (``set_up``)
§2 state                 ``state`` (worker and organisation rows; township and
                         community arrays; role, certificate and mode codes)
§7.1 budgets, §7.12 pay  ``budget`` (``Ledger``, ``plan_budgets``, ``pay``)
§7.2 building stations   ``stations`` (``Purchaser.plan_stations``, ``open_station``)
§7.3 tenders, renewal    ``stations`` (``Purchaser.tender``, ``review``;
                         ``Stations.evaluate``) and ``agencies`` (``Agency.bid``)
§7.4 hiring              ``workforce`` (``Workforce.hire``; ``Agency.hire``)
§7.5 station hours       ``stations`` (``Stations.allocate_time``)
§7.6 the exam            ``workforce`` (``sit_exam``, ``award_certificates``)
§7.7 turnover            ``workforce`` (``turnover``)
§7.8 organisations       ``organisations`` (``OrganisationSector``, ``IncubationBase``)
§7.9 volunteers          ``volunteers``
§7.10 charity            ``charity``
§7.11 needs, services    ``needs``
§7.12 agencies' books    ``agencies`` (``Agency.step``, ``fold``)
indicators               ``outputs``
randomness, calendar     ``streams``, ``calendar``
=======================  ==========================================================

Each submodel is an object on the model (``model.stations``, ``model.workforce``, …)
that owns its state; the few actors that decide are Mesa agents (``Purchaser``,
``Agency``, ``IncubationBase``); the many are rows (``Workers``, ``Organisations``).
``model/simulation.py`` orders them month by month. Nothing here imports the schedule.
"""
