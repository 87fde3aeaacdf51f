"""Use cases, one module per aggregate; pure rules in `domain/`, MongoDB access in `store/`."""
