"""Files for people outside the app: training records (PDF, CSV, XLSX) from plain records."""
