"""The integration API under /api/v1/: JSON for utility systems (GIS, ADMS, interconnection) and the
portal, through the same services as every other writer. OpenAPI schema at /api/v1/schema/."""
