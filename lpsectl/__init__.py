"""lpsectl: the complaint and helpdesk desk of an LPSE office."""

__version__ = "0.1.0"
