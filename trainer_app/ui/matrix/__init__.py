"""Records & matrix: who is trained, who is due for a refresher, and a trainee's whole record."""
