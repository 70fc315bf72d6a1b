"""Placeholder until the aggregate lands."""

VALUE_TYPES: list[type] = []
