"""Checks: one module per check, each raising SortFailure with a verdict of the taxonomy.

They run where they are cheapest: the environment checks once in preflight (and again where a job
resolves its plan on another machine), the window's data check in the sorter's child process
before the sorter starts. A check takes the values it checks (a device name, a folder, a window's
traces, a sorter backend), never the config or the plan: the package sits below ``plan``, which
resolves the torch device through ``checks.device`` (tests/test_architecture.py keeps the
direction).
"""
