"""The analytics database: where it is (the data source setting), how its files are written,
published and locked, its schema and rollups, and the one runner of the named queries."""
