"""One Django project with this package and django-rest-passwordreset side by side."""
