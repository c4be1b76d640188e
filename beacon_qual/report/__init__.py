"""The study report (HTML with inline SVG charts) and figures for papers."""
