"""Sharing: badges, embeds, Atom feeds, preview images, absolute URLs."""
