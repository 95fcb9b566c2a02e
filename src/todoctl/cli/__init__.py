"""The command line: thin Typer commands over todoctl's modules."""
