"""The Textual workbench: the app, its panes, modal screens and analysis views, and its read model."""
