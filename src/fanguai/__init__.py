"""fanguai: the platform that runs a city's anti-human-trafficking action plan."""
