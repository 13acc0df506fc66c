"""Members' pages, one concept a module. Each view says who may use it in its docstring; the
authorization table in tests/test_authorization.py proves everybody else is refused.
"""
