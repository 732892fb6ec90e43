"""Use cases shared by the CLI and the GUI. No Qt here; results are small frozen objects."""
