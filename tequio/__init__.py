"""Tequio: the working platform of locally led learning communities."""

__version__ = "0.1.0"
