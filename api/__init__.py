"""The Agora service: the Starlette app, settings, auth, lifespan and `python -m api`."""
