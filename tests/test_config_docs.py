"""Docs that cannot drift: config/README.md's key table is the one `make docs` generates from the
schema, and every default the READMEs state is the schema's."""

from __future__ import annotations

import subprocess

from conftest import BIN, REPO
from sortcanary.config import load_schema
from sortcanary.views.config_docs import default_claims, disagreements, leaves, with_table

CONFIG_README = REPO / "config" / "README.md"


def test_the_key_table_is_the_generated_one():
    text = CONFIG_README.read_text()
    assert with_table(text) == text, "config/README.md's key table is stale: run `make docs`"


def test_every_default_the_readmes_state_is_the_schemas():
    for path in (CONFIG_README, REPO / "README.md"):
        assert not disagreements(path.read_text(), source=path.name), path


def test_every_key_is_explained_in_the_prose_too():
    """Each key has a section, a bullet or a table row of its own, not only its line in the table."""
    claimed = {key for _, key, _ in default_claims(CONFIG_README.read_text())}
    unexplained = [key for key, _ in leaves(load_schema()) if key not in claimed]
    assert not unexplained, unexplained


def test_a_drifted_default_and_an_unreadable_one_are_caught():
    schema = load_schema()
    text = CONFIG_README.read_text()
    drifted = text.replace("## canary.window_s (default `30`)", "## canary.window_s (default `20`)")
    assert any("canary.window_s: says 20, the schema says 30" in p for p in disagreements(drifted, schema))
    vague = text.replace("## scratch_dir (default `scratch`)", "## scratch_dir (default: a folder named scratch)")
    assert any("scratch_dir: can't read" in p for p in disagreements(vague, schema))
    table = text.replace("| `max_spikes_per_unit` | 500 |", "| `max_spikes_per_unit` | 400 |")
    assert any("outputs.analyzer.max_spikes_per_unit" in p for p in disagreements(table, schema))
    stale = text.replace("| `sorter` | string | `kilosort4` |", "| `sorter` | string | `mountainsort5` |")
    assert with_table(stale) == text, "the generator puts the schema's table back"


def test_make_docs_regenerates_the_table(tmp_path):
    """`make docs` runs the generator: a README with an emptied table gets it back."""
    readme = tmp_path / "README.md"
    head, _, tail = CONFIG_README.read_text().partition("| key | type | default | description |")
    readme.write_text(head + tail[tail.index("<!-- END key table -->"):])
    result = subprocess.run([str(BIN / "python"), "-m", "sortcanary.views.config_docs", str(readme)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert readme.read_text() == CONFIG_README.read_text()
    check = subprocess.run(["make", "-n", "docs"], cwd=REPO, capture_output=True, text=True)
    assert "sortcanary.views.config_docs config/README.md" in check.stdout
