#!/usr/bin/env python
"""Django's command-line utility for the example project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # Django's command line keeps an error raised by the settings module to itself and goes on
    # unconfigured, so what reaches the terminal is whatever breaks next (often "Models aren't
    # loaded yet", depending on the order its checks happen to run in). Load the settings
    # first so a bad EXAMPLE_* variable is reported in its own words.
    settings.INSTALLED_APPS  # noqa: B018

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
