"""USB sync (DESIGN §8): bundle format, signing and encryption, safe unpacking, merge, removable drives."""
