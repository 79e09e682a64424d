"""`python -m northstar.load FOLDER [options]`: load a folder of exports into the database.

The command's short name; the loader itself is northstar.data.importer.run (`--help` lists options).
"""

from northstar.data.importer.run import main

if __name__ == "__main__":
    raise SystemExit(main())
