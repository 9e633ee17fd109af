"""Add/edit dialogs for master data, with validation messages beside each field."""
