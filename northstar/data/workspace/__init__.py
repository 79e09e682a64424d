"""The workspace: what people record in Northstar (actions, their notes and audit trail), kept in
a database of its own so that loading data never touches it."""
