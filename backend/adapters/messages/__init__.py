"""Customer-facing text: catalogues, locale-aware formatting and the Jinja2 templates."""
