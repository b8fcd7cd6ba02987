"""Finding a territory by name, code or SIREN, typos forgiven."""
