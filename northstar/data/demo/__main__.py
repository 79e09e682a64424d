"""`python -m northstar.data.demo --accounts N --seed S [--db PATH]`: build the demo database
(northstar.data.demo.generator; `--help` lists options)."""

from northstar.data.demo.generator import main

if __name__ == "__main__":
    raise SystemExit(main())
