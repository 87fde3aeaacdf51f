"""Pure domain rules: no I/O, no GraphQL, no database."""
