"""The PySide6 desktop GUI: the only layer that imports Qt."""
