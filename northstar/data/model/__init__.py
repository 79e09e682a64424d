"""The churn model, its checks and drivers, and the revenue forecast: fitted and stored when a
database is built or loaded, so the pages only read them."""
