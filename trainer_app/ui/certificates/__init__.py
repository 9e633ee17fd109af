"""The Certificates page, the preview of a certificate, and the dialogs to issue and reprint."""
