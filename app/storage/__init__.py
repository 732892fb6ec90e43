"""Encrypted store: SQLCipher engine, key slots, migrations, audit chain, backup."""
