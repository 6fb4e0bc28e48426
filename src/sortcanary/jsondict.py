"""The one type of the project's YAML/JSON data: the config (config.yaml, checked against
workflow/schemas/config.schema.yaml) and the records it reads and writes (verdicts, evidence, job
records, plans as dicts). Their shape is the schema's and the tests' to check; to the type checker a
value read from YAML or JSON is ``Any``, so this alias is where that boundary is named."""

from __future__ import annotations

from typing import Any, TypeAlias

JSONDict: TypeAlias = dict[str, Any]
