from simple_deploy import markers


def test_block_is_appended_after_one_blank_line():
    text = "DEBUG = True\n"
    out = markers.replace_block(text, "heroku", "X = 1\n")
    assert out == (
        "DEBUG = True\n\n"
        "# >>> django-simple-deploy: heroku >>>\nX = 1\n# <<< django-simple-deploy: heroku <<<\n"
    )


def test_second_run_replaces_the_block_in_place():
    once = markers.replace_block("A = 1\n", "heroku", "X = 1")
    twice = markers.replace_block(once + "B = 2\n", "heroku", "X = 2")
    assert twice.count(markers.start_line("heroku")) == 1
    assert "X = 2" in twice and "X = 1" not in twice
    assert twice.endswith("B = 2\n")


def test_same_body_twice_gives_identical_text():
    once = markers.replace_block("A = 1\n", "heroku", "X = 1")
    assert markers.replace_block(once, "heroku", "X = 1") == once


def test_platforms_in_lists_blocks_in_file_order():
    text = markers.replace_block(markers.replace_block("", "fly_io", "a"), "heroku", "b")
    assert markers.platforms_in(text) == ("fly_io", "heroku")


def test_file_without_final_newline_gets_block_on_its_own_line():
    out = markers.replace_block("A = 1", "heroku", "X = 1")
    assert out.startswith("A = 1\n\n# >>>")


def test_block_of_returns_the_body_or_none():
    text = markers.replace_block("A = 1\n", "heroku", "X = 1")
    assert markers.block_of(text, "heroku") == "X = 1\n"
    assert markers.block_of(text, "fly_io") is None


def test_a_start_line_without_its_end_line_is_unterminated():
    whole = markers.replace_block("A = 1\n", "heroku", "X = 1")
    assert markers.unterminated(whole) == ()
    half = whole.replace(markers.end_line("heroku") + "\n", "")
    assert markers.unterminated(half) == ("heroku",)
