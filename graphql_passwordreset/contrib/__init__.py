"""Optional integrations; each module imports its third-party library, so import only the
ones a project uses."""
