"""GraphQL object types; documents become these types only here."""
