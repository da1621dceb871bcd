"""Heroku automation's pure parts: which app a remote names, which release is this push's."""

from __future__ import annotations

import pytest

from simple_deploy.platforms.heroku.automate import heroku_app_of, linked_apps, release_of


@pytest.mark.parametrize(
    ("url", "app"),
    [
        ("https://git.heroku.com/blog-1.git", "blog-1"),
        ("https://git.heroku.com/blog-1", "blog-1"),
        ("https://git.heroku.com/blog-1.git/", "blog-1"),
        ("http://git.heroku.com/blog.git", "blog"),
        ("https://user@git.heroku.com/blog.git", "blog"),
        ("git@heroku.com:blog.git", "blog"),
        ("git@heroku.com:blog", "blog"),
        ("ssh://git@heroku.com/blog.git", "blog"),
        ("https://github.com/me/blog.git", None),
        ("git@github.com:me/blog.git", None),
        ("https://git.heroku.com.evil.example/blog.git", None),
        ("https://git.heroku.com/a/b.git", None),
        ("", None),
    ],
)
def test_the_app_a_remote_url_names(url, app):
    assert heroku_app_of(url) == app


def test_linked_apps_list_every_remote_of_each_app_heroku_first():
    remotes = {
        "origin": "git@github.com:me/blog.git",
        "production": "git@heroku.com:blog.git",
        "heroku": "https://git.heroku.com/blog.git",
        "staging": "https://git.heroku.com/blog-staging.git",
    }
    assert linked_apps(remotes) == {"blog": ["heroku", "production"], "blog-staging": ["staging"]}


def _release(version: int, description: str, status: str = "succeeded") -> dict:
    return {"version": version, "description": description, "status": status}


def test_the_release_of_this_push_not_the_newest():
    commit = "3f6b2d1a9c0e4b5a8d7f6e5d4c3b2a1f0e9d8c7b"
    releases = [
        _release(9, "Set SECRET_KEY config vars"),
        _release(8, "Deploy 3f6b2d1a", "failed"),
        _release(7, "Deploy 0000aaaa"),
    ]
    assert release_of(releases, commit)["version"] == 8
    assert release_of(releases[:1], commit) is None
    assert release_of([_release(3, "Deploy 3f6b2d1")], commit)["version"] == 3
    assert release_of([_release(3, "Rollback to v2")], commit) is None
