"""Exchange formats: documents argmap writes for other tools (one module per format)."""
