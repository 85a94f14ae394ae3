"""``marketing-leads``: the admin CLI over the lead store, its HTML report and its schedules."""
