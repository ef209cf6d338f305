import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netmark.settings")
django_application = get_wsgi_application()

from netmark.analytics.fastpath import wrap  # noqa: E402 - needs the settings configured above

application = wrap(django_application)
