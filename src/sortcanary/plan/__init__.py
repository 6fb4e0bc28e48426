"""The job plan: config in, one resolved ``SortPlan`` per job out (see sortcanary.plan.sortplan)."""
