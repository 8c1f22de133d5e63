"""Writes that change more than one row or must leave an audit entry: one function per operator action."""
