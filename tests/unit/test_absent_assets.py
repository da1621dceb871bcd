"""Which failed asset requests are files the project never had."""

from simple_deploy.rehearsal.absent_assets import absent
from simple_deploy.rehearsal.crawl import Fetched


def _asset(path: str, status: int = 404) -> Fetched:
    return Fetched(path, status, "asset", "/static/css/global.css")


def test_only_a_404_static_file_no_folder_of_the_copy_holds_is_absent(tmp_path):
    (tmp_path / "static" / "source" / "fonts").mkdir(parents=True)
    (tmp_path / "static" / "source" / "fonts" / "Ergo.woff").write_bytes(b"font")
    (tmp_path / "staticfiles" / "img").mkdir(parents=True)
    (tmp_path / "staticfiles" / "img" / "logo.png").write_bytes(b"png")
    failures = [
        _asset("/static/fonts/Ergo.woff2"),  # never shipped: absent
        _asset("/static/fonts/Ergo.woff"),  # the commit has it: the deploy lost it
        _asset("/static/img/logo.png?v=2"),  # collected, not served
        _asset("/static/img/gone.png", status=500),  # not a 404
        _asset("/media/upload.png"),  # not a static file
        Fetched("/about/", 500, "page", "/"),
    ]
    assert [f.path for f in absent(failures, "/static/", tmp_path)] == ["/static/fonts/Ergo.woff2"]


def test_a_site_serving_static_files_from_the_root_url_has_none_absent(tmp_path):
    assert absent([_asset("/img/gone.png")], "/", tmp_path) == ()
