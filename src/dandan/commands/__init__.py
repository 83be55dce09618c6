"""Command modules: each parses options, calls one library function, and renders."""
