"""The study report (HTML with inline SVG charts), figures for papers, and Datasette metadata."""
