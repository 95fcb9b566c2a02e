"""Readers of what the outside tools print: their errors, their versions, the pods' states."""
