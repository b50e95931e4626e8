"""The Django project: settings, URLs and the ``briefroom`` command line."""
