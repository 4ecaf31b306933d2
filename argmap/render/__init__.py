"""Outputs made from Structs (never from SQL): diagrams, timelines and briefings."""
