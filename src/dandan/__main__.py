"""`python -m dandan` runs the same command line as the `dandan` script."""

from dandan.cli import main

main()
