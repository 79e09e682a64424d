"""`python -m northstar.digest [--dry-run]`: e-mail action owners their overdue and due-this-week
actions and the CCO a forum summary (northstar.data.workspace.action_digest; `--help` lists
options).
"""

from northstar.data.workspace.action_digest import main

if __name__ == "__main__":
    raise SystemExit(main())
