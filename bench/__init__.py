"""The benchmark against django-rest-passwordreset (issue 5): ``make bench``."""
