"""Bulk import from CSV: topology nodes and device authorizations.

Each file is validated whole first (every bad row reported with its line, field and reason), then
applied all-or-nothing in one transaction. Formats: README.md "Bulk import"; examples in examples/.
"""
