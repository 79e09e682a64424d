"""The deterministic demo database: `python -m northstar.data.demo --accounts N --seed S`."""
