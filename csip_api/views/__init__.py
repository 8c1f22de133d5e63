"""Thin 2030.5 views: resolve ids through the client's Scope, select, render."""
