"""Each rollup declares the tables it reads and writes, and is built after the rollups whose
tables it reads: the declarations are checked by running every rollup with only its declared
inputs present."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from northstar.data import rules
from northstar.data.db import rollups
from northstar.data.model import churn_model

_CREATED = re.compile(r"create\s+or\s+replace\s+(?:temp\s+)?table\s+([a-z_][a-z0-9_]*)", re.I)
_FILLED = re.compile(r"^(?:insert\s+into|delete\s+from)\s+([a-z_][a-z0-9_]*)", re.I | re.M)


def code(path: Path) -> str:
    return "\n".join(line.split("--", 1)[0] for line in path.read_text().splitlines())


@pytest.mark.parametrize("rollup", rollups.rollups_in_order(), ids=lambda rollup: rollup.name)
def test_a_rollup_declares_the_tables_it_writes(rollup):
    written = set(_CREATED.findall(code(rollup.path))) | set(_FILLED.findall(code(rollup.path)))
    assert written == set(rollup.writes)


def test_every_rollup_comes_after_the_rollups_whose_tables_it_reads():
    order = rollups.rollups_in_order()
    built: set[str] = set()
    everything = {table for rollup in order for table in rollup.writes}
    for rollup in order:
        assert not (set(rollup.reads) & everything) - built - set(rollup.writes), rollup.name
        built |= set(rollup.writes)
    assert [step for step in rollups.build_step_names()[:-1]] == [r.name for r in order]


def test_rollups_that_read_each_other_in_a_circle_are_refused(tmp_path):
    (tmp_path / "first.sql").write_text("-- reads: b\n-- writes: a\nselect 1;\n")
    (tmp_path / "second.sql").write_text("-- reads: a\n-- writes: b\nselect 1;\n")
    with pytest.raises(rollups.RollupDeclarationError, match="in a circle"):
        rollups._ordered((tmp_path / "first.sql", tmp_path / "second.sql"))
    (tmp_path / "third.sql").write_text("select 1;\n")
    with pytest.raises(rollups.RollupDeclarationError, match="third.sql declares no"):
        rollups._ordered((tmp_path / "third.sql",))


def test_ties_are_built_in_name_order(tmp_path):
    for name, header in (("zeta", "-- writes: z"), ("alpha", "-- reads: z\n-- writes: a"),
                         ("beta", "-- writes: b")):
        (tmp_path / f"{name}.sql").write_text(f"{header}\nselect 1;\n")
    order = rollups._ordered(tuple(sorted(tmp_path.glob("*.sql"))))
    assert [rollup.name for rollup in order] == ["beta", "zeta", "alpha"]


SETTINGS_WRITERS = {"health_score_settings": rollups.write_health_settings,
                    "program_survey_settings": rollups.write_program_survey_settings}


def provide(con: duckdb.DuckDBPyConnection, rollup: rollups.Rollup, built_tables: set[str],
            done: set[str]) -> None:
    """The tables `rollup` declares, from the built demo; a temporary table the build does not
    keep comes from running its own rollup (on its declared tables) first."""
    writer = {table: other for other in rollups.rollups_in_order() for table in other.writes}
    for table in sorted({*rollup.reads, *rollup.writes}):
        if table in done:
            continue
        done.add(table)
        if table in SETTINGS_WRITERS:
            SETTINGS_WRITERS[table](con)
        elif table in built_tables:
            con.execute(f'create table "{table}" as select * from built."{table}"')
        elif table in writer and writer[table] is not rollup:
            provide(con, writer[table], built_tables, done)
            con.execute(rules.render_sql(writer[table].path.read_text())).fetchall()


def test_each_rollup_runs_with_only_the_tables_it_declares(demo_db):
    """Each rollup runs in a database holding only the tables it declares (copied from a built
    demo, settings tables written only when declared): an undeclared read fails."""
    with duckdb.connect(str(demo_db), read_only=True) as built:
        built_tables = {name for (name,) in built.execute(
            "select table_name from duckdb_tables()").fetchall()}
    assert built_tables >= set(churn_model.TABLES)
    for rollup in rollups.rollups_in_order():
        with duckdb.connect() as con:
            con.execute(f"attach '{demo_db}' as built (read_only)")
            # the macros are checked against the tables when created: create them over empty
            # stand-ins, then leave only what the rollup declares
            for table in built_tables:
                con.execute(f'create table "{table}" as select * from built."{table}" limit 0')
            rollups.create_shared_macros(con)
            for table in built_tables:
                con.execute(f'drop table "{table}"')
            try:
                provide(con, rollup, built_tables, set())
                con.execute("detach built")
                con.execute(rules.render_sql(rollup.path.read_text())).fetchall()
            except duckdb.CatalogException as error:
                pytest.fail(f"{rollup.name} (or a temporary table it reads) reads a table it "
                            f"does not declare: {error}")


def test_the_architecture_page_draws_the_rollups_as_declared():
    text = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    assert "```mermaid\n" + rollups.mermaid_graph() + "```" in text
