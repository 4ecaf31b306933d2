"""Exchange formats: other tools' documents in and out of :mod:`argmap.model`."""
