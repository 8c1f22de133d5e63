"""Read queries of the 2030.5 API. Each starts from a Scope or from an object a Scope already granted."""
