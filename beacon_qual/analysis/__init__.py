"""Analysis of coded material: frequencies, crosstabs and statistics, phase trends, co-occurrence,
quotes, joint displays with survey measures, bases, survey waves per phase, the councils x themes matrix,
and the provenance record every export carries.

Every function here reads a :class:`~beacon_qual.store.Project` and returns plain data classes;
:mod:`.output` turns them into CSV, Markdown, JSON or .docx.

May import: ``ingest``, ``cases``, ``codebook``, ``text``, ``store``, ``errors``.
"""
