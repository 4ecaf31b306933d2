"""Pictures and print documents made from model Structs; nothing here runs SQL."""
