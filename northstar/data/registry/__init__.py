"""The page and role registry: which pages exist, the roles a viewer can have, and what each
role may see (the access file)."""
