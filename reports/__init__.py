"""Report context builders, templates and PDF rendering."""
