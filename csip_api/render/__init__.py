"""2030.5 documents for each resource, built from models in the schema's element order."""
