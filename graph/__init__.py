"""The graph model: ontology, records, resolution and the stores."""
