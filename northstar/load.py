"""`python -m northstar.load FOLDER [options]`: load a folder of exports into the database, then
check the alert rules against it (docs/alerts.md; a failing alert never fails the load).

The command's short name; the loader itself is northstar.data.importer.run (`--help` lists options).
"""

import sys

from northstar.analytics.alert_run import after_load
from northstar.data.importer.run import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:], after_load=after_load))
