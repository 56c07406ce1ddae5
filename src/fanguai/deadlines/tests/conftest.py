from fanguai.notifications.tests.cast import *  # noqa: F403  the building blocks' shared cast and settings
