"""Korean-aware full-text search over board posts on SQLite FTS5 and PostgreSQL (see service)."""
