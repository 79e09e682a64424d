"""`python -m northstar.brief --send` (or `--dry-run`): e-mail the CEO brief for the last full
period to the people the access file gives the roles in `[brief] roles`
(northstar.analytics.brief_mail; `--help` lists options).
"""

from northstar.analytics.brief_mail import main

if __name__ == "__main__":
    raise SystemExit(main())
