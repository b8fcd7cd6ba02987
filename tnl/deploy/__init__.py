"""Deployment rehearsal: nginx in front of `tnl serve` replicas on loopback, and rolling releases."""
