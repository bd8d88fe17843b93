"""Test support: a fixed cast of personas per role, and helpers shared by all apps."""
