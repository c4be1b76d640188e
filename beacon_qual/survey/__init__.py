"""Survey measures linked to councils: reading tables (CSV, TSV, .xlsx), measure types, import.

May import: ``cases``, ``text``, ``store``, ``errors``.
"""
