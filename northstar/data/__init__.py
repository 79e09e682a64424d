"""The data layer: where Northstar's data comes from and how it is read (no Streamlit import).

- `db/`: the analytics database: the data source setting (`data_source`), the one runner of
  the named queries in queries/ (`query_runner`, and `viewer_queries` for one viewer outside the
  app), masking of sensitive columns, the database file, its published versions and write
  lock, the canonical schema, the rollups (`rollups_sql/`, `macros_sql/`), file paths, the
  progress record and the memory of a build;
- `importer/`: loading your own data (`run` is `python -m northstar.load`): mapping files,
  source file readers, warehouse tables, the pipeline, the canonical tables a load fills
  (`datasets`) and what the Data page reports (`data_status`);
- `model/`: the churn model, its checks and drivers, and the revenue forecast, fitted when a
  database is built or loaded;
- `workspace/`: what people record (actions, notes, sign-outs), the e-mail machinery and the
  action digest (`python -m northstar.digest`);
- `registry/`: which pages exist, the roles, and what each role may see (the access file);
- `demo/`: the deterministic demo database (`python -m northstar.data.demo`).

Beside them, the small rules every part shares: the business rules the SQL reads (`rules`),
the editable settings (`settings`), months, yes/no flags, e-mail addresses, command-line
messages, the spreadsheet formula guard, PDF printing, and the export (`python -m
northstar.data.export`). Nothing here imports the layers above (analytics, ui), so the
command-line tools start fast.
"""
