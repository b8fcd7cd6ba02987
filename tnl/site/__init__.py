"""What the served site computes; the Datasette hooks in plugins/ call it."""
