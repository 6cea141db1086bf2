"""The simulation core: one module per submodel of ODD §7, over explicit state.

- ODD §2 state: ``state`` (worker and organisation rows; township and community arrays;
  role, certificate and mode codes)
- ODD §5 initialisation: ``setup`` (``set_up``)
- §7.1 the envelope, budgets, §7.12 payments: ``budget`` (``Ledger``, ``plan_envelope``,
  ``plan_budgets``, ``pay``) over the rules of ``envelope``
- §7.2 building stations: ``stations`` (``Purchaser.propose``, ``plan_stations``, ``open_station``)
- §7.3 tenders, renewal, evaluation: ``stations`` (``Purchaser.tender``, ``review``;
  ``Stations.evaluate``) and ``agencies`` (quality, reputation) over the rules of ``tender``
- §7.4 the labour market, hiring: ``workforce`` (``Workforce.hire``) and ``agencies``
  (``Agencies.hire``) over the rules of ``labour_market``
- §7.5 station hours: ``stations`` (``Stations.allocate_time``)
- §7.6 the exam: ``workforce`` (``sit_exam``, ``award_certificates``)
- §7.7 turnover: ``workforce`` (``turnover``)
- §7.8 organisations and incubation: ``organisations`` (``OrganisationSector``; incubation
  bases as a flag per area and level)
- §7.9 volunteers: ``volunteers``; §7.10 charity: ``charity``; §7.11 needs: ``needs``
- §7.12 agencies' books: ``agencies`` (``Agencies.step``, ``Agency.fold``)
- indicators: ``outputs``; randomness and the calendar: ``streams``, ``calendar``

Each submodel is an object on the model (``model.stations``, ``model.workforce``, …)
that owns its state; the few actors that decide are Mesa agents (``Purchaser``,
``Agency``); the many are rows (``Workers``, ``Organisations``); places are arrays
(``Townships``, ``Communities``, incubation bases).
``model/simulation.py`` orders them month by month. Nothing here imports the schedule.

Pure rules over arrays, with unit tests, that the submodels call: ``tender`` (delivery,
evaluation, entry, folding), ``labour_market``, ``envelope`` (the five-society budget
envelope); for the submodels to call as they are rewritten: ``funding`` (station funding channels), ``needs_groups``,
``platform``, ``projects``, ``committees``, ``volunteer_activity``.
"""
