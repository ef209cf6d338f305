"""Cross-cutting tests: isolation between workspaces (ISO), the role table (ROLE), API fuzzing (API),
CSRF, deployment settings (DEPLOY), bad input and security logging (LOG), over every route.

The walkers (``apiwalk``, ``urlwalk``) read the OpenAPI document and the URL configuration, so a new
route is covered without editing these tests; a route they cannot exercise fails the tests until
it is taught here (an alias, a hint or an allow-list entry with its reason).
"""
