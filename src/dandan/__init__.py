"""dandan: the registry of "Dân vận khéo" models.

The package is a library first: `dandan.registry.Registry` does everything the
command line does. Importing this module stays cheap (no SQLAlchemy) so that
`dandan --help` starts instantly.
"""

__version__ = "0.1.0"
