"""The Korean brief: its deterministic parts (title, countries, glossary) and its verifier."""
