"""The study report (HTML with inline SVG charts), figures for papers, and Datasette metadata.

May import: ``analysis``, ``agreement``, ``codebook``, ``text``, ``store``, ``errors``.
"""
