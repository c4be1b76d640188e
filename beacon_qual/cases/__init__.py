"""Cases: the 2008 council register, later councils, matching a council reference to a case (the one
matching function everything uses), and organisations that are not councils.

May import: ``data``, ``store``, ``errors``.
"""
