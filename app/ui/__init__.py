"""The PySide6 desktop front end: windows, pages, dialogs, table models and the task runner.

The only package that imports Qt; it reaches the data through `app.services` alone.
"""
