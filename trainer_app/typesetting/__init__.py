"""Typesetting shared by every PDF the app writes (records, certificates): the shipped fonts,
per-character fallback, right-to-left and complex-script shaping."""
