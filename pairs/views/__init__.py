"""The pairs' pages, one concept a module. Each view says who may use it in its docstring;
tests/test_authorization.py proves the rest are refused.

Access to one pair: its mentor and mentee see everything; its liaison and the
committee see the pair without the check-in notes; anyone else gets 404.
"""
