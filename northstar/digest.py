"""`python -m northstar.digest [--dry-run]`: e-mail action owners their overdue and due-this-week
actions and the CCO a forum summary (northstar.data.workspace.digest; `--help` lists options).
"""

from northstar.data.workspace.digest import main

if __name__ == "__main__":
    raise SystemExit(main())
