"""The `fanguai` console script: every Django management command (`fanguai serve`, `fanguai audit verify`,
…) plus `fanguai kinship …`, which runs the kinship engine without Django."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "kinship":
        from fanguai.kinship.cli import main as kinship_main

        return kinship_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanguai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
