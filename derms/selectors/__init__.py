"""Reads for the portal: each function answers one question with a bounded number of queries."""
