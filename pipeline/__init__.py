"""jinghua (净化): clean scraped Chinese news pages into a paragraph corpus with provenance."""

__version__ = "0.2.0"
