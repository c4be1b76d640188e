"""Analysis of coded material: frequencies, crosstabs and statistics, phase trends,
co-occurrence, quotes and joint displays with survey measures.

Every function here reads a :class:`~beacon_qual.store.Project` and returns plain
data classes; :mod:`.output` turns them into CSV, Markdown, JSON or .docx.
"""
