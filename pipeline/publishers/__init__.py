"""The publishers briefroom knows: one folder each (``isw/``, ``mnd/``), the generic fallback
beside them, and :mod:`pipeline.publishers.registry`, which lists them.

A folder declares its series (``series.py``), its sources (``sources.py``), its site adapters
and their rank among copies of the same report (``publisher.py``). Adding a publisher is one
folder and one line in the registry. This package's ``__init__`` stays empty of imports so that
:mod:`pipeline.series` can read the folders' series tables without a cycle.
"""
