"""web: the base layout, navigation, sign-in, the workspace dashboard and shared UI pieces.

Each domain app renders its own pages with ``web/base.html``; navigation entries are registered
with ``netmark.web.navigation.register_nav``.
"""
