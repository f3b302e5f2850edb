"""Web forms: the framework form builder (`builder`), its field kinds, rendering and summaries,
and the few fixed forms the provider journey needs."""
