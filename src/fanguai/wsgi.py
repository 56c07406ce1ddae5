import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
os.umask(0o077)  # uploads, the SQLite journal and anything else the web processes write stay owner-only
application = get_wsgi_application()

from fanguai.reports.pdf import warm_up  # noqa: E402 - after the apps are ready

warm_up()  # WeasyPrint is imported when a web worker starts, not on a user's first PDF
