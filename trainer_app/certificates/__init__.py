"""Certificates: the printed PDF with its signed QR code, the signing key, and verification."""
