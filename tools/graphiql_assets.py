"""Refresh the example's own copy of GraphiQL's files from the npm registry.

The example serves GraphiQL without a CDN: its template (example_project/templates/graphene/
graphiql.html) loads these files from example_project/static/graphiql/, one folder per npm
package, named <package>-<version>. The versions and SHA-256 hashes are graphene-django's own
(the class attributes of graphene_django.views.GraphQLView, which its stock page loads from
jsDelivr), so the copies are byte for byte what graphene-django's page would run, and the page's
integrity attributes still check them.

Run it after upgrading graphene-django (``make graphiql-assets``); it needs npm and the
registry. example_project/example_tests/test_example_project.py fails while the copies and
graphene-django disagree.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings

settings.configure()  # graphene-django reads settings on import; nothing else is needed here

from graphene_django.views import GraphQLView  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "example_project" / "static" / "graphiql"

View = GraphQLView
# folder, npm package, version, license file in the tarball, {file in the tarball: SRI hash}
PACKAGES = [
    (
        "graphiql",
        "graphiql",
        View.graphiql_version,
        "LICENSE",
        {"graphiql.min.js": View.graphiql_sri, "graphiql.min.css": View.graphiql_css_sri},
    ),
    (
        "react",
        "react",
        View.react_version,
        "LICENSE",
        {"umd/react.production.min.js": View.react_sri},
    ),
    (
        "react-dom",
        "react-dom",
        View.react_version,
        "LICENSE",
        {"umd/react-dom.production.min.js": View.react_dom_sri},
    ),
    (
        "graphql-ws",
        "graphql-ws",
        View.subscriptions_transport_ws_version,
        "LICENSE.md",
        {"umd/graphql-ws.min.js": View.subscriptions_transport_ws_sri},
    ),
    (
        # No license file in this tarball: it is MIT, from graphiql's repository
        # (github.com/graphql/graphiql), whose LICENSE is copied next to it.
        "graphiql-plugin-explorer",
        "@graphiql/plugin-explorer",
        View.graphiql_plugin_explorer_version,
        None,
        {
            "dist/graphiql-plugin-explorer.umd.js": View.graphiql_plugin_explorer_sri,
            "dist/style.css": View.graphiql_plugin_explorer_css_sri,
        },
    ),
]


def sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def npm_pack(package: str, version: str, members: list[str], scratch: Path) -> dict[str, bytes]:
    """``members`` of the npm tarball of ``package@version``, by their path in the package."""
    print(f"npm pack {package}@{version}")
    name = subprocess.run(
        ["npm", "pack", "--silent", f"{package}@{version}"],
        cwd=scratch,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    with tarfile.open(scratch / name) as archive:
        return {
            member: archive.extractfile(f"package/{member}").read()  # type: ignore[union-attr]
            for member in members
        }


def main() -> int:
    folders: dict[str, dict[str, bytes]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for folder, package, version, license_file, files in PACKAGES:
            members = [*files, *([license_file] if license_file else [])]
            content = npm_pack(package, version, members, Path(scratch))
            for member, expected in files.items():
                if sri(content[member]) != expected:
                    print(f"{package}@{version}: {member} differs", file=sys.stderr)
                    return 1
            if not license_file:  # MIT, the LICENSE of its repository, graphql/graphiql
                content["LICENSE"] = folders[f"graphiql-{View.graphiql_version}"]["LICENSE"]
            folders[f"{folder}-{version}"] = content

    shutil.rmtree(TARGET, ignore_errors=True)
    for folder, content in folders.items():
        (TARGET / folder).mkdir(parents=True)
        for member, data in content.items():
            (TARGET / folder / Path(member).name).write_bytes(data)
    lines = [
        "# GraphiQL for the example project, without a CDN",
        "",
        "Written by tools/graphiql_assets.py (`make graphiql-assets`) from the npm registry:",
        "the files graphene-django's GraphiQL page loads from jsDelivr, at the versions and",
        "SHA-256 hashes graphene-django pins. Each folder holds its package's license.",
        "",
        "| folder | npm package | license |",
        "|---|---|---|",
    ]
    for folder, package, version, _license_file, _files in PACKAGES:
        lines.append(f"| {folder}-{version}/ | {package}@{version} | MIT |")
    (TARGET / "README.md").write_text("\n".join(lines) + "\n")
    print(f"Wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
