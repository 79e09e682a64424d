"""The signed-in users of the AppTest modules and the access file that gives them their roles."""

USERS = {
    "cco": "cco@northstar.example",
    "executive": "ceo@northstar.example",
    "board": "member@board.example",
    "department_head": "head.support@northstar.example",
}
ACCESS_FILE = """
[[users]]
email = "cco@northstar.example"
role = "cco"

[[users]]
email = "ceo@northstar.example"
role = "executive"

[[users]]
email = "head.support@northstar.example"
role = "department_head"
department = "customer_service"

[[domains]]
domain = "board.example"
role = "board"
"""
